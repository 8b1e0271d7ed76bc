package io.llmrelay.relay.out;

import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.secrets.KnownSecrets;
import io.llmrelay.secrets.ScrubTimeoutException;
import io.llmrelay.secrets.SecretScrubber;
import java.io.IOException;
import java.util.List;

/**
 * What one request's answers are scrubbed of: the upstream keys resolved for it, in every form
 * {@link SecretScrubber} finds, in every byte that goes to the caller (every event and body,
 * success or error), and, in what the upstream says about an error, the masked forms providers
 * print. The work is linear in what is scrubbed and bounded by the invocation's deadline: a
 * scrub that reaches it gives up ({@link OutOfTime}) rather than send something unscrubbed.
 */
public final class ResponseScrubber {
    public static final ResponseScrubber NONE = new ResponseScrubber(SecretScrubber.NONE, Deadline.NONE);
    /** What stands in for an upstream's error text that could not be scrubbed in time. */
    private static final String UNCHECKED_TEXT = KnownSecrets.REDACTED;

    private final SecretScrubber keys;
    private final Deadline deadline;

    private ResponseScrubber(SecretScrubber keys, Deadline deadline) {
        this.keys = keys;
        this.deadline = deadline;
    }

    public static ResponseScrubber of(List<String> upstreamKeys, Deadline deadline) {
        return new ResponseScrubber(SecretScrubber.of(upstreamKeys), deadline);
    }

    /** Bytes about to go to the caller: the same array when they hold no key. */
    public byte[] answer(byte[] bytes) throws OutOfTime {
        try {
            return keys.scrub(bytes, deadline::passed);
        } catch (ScrubTimeoutException e) {
            throw new OutOfTime(e);
        }
    }

    /** An upstream's error body, passed through: without keys or masked keys. */
    public byte[] upstreamErrorBody(byte[] body) throws OutOfTime {
        try {
            return keys.scrubUpstreamError(body, deadline::passed);
        } catch (ScrubTimeoutException e) {
            throw new OutOfTime(e);
        }
    }

    /** Text from the upstream that goes to the caller as it is (a header value): without the keys. */
    public String text(String text) {
        return keys.scrub(text);
    }

    /** An upstream's error text; all of it redacted if it could not be scrubbed in time. */
    public String upstreamText(String text) {
        try {
            return keys.scrubUpstreamError(text, deadline::passed);
        } catch (ScrubTimeoutException e) {
            return text == null ? null : UNCHECKED_TEXT;
        }
    }

    /** The error with every free-text field (message, type, param, code) scrubbed: it may quote the upstream. */
    public OpenAiError error(OpenAiError error) {
        return new OpenAiError(error.status(), upstreamText(error.message()), upstreamText(error.type()),
                upstreamText(error.param()), upstreamText(error.code()));
    }

    /** The deadline came before an answer was scrubbed: the answer must not go out. */
    public static final class OutOfTime extends IOException {
        OutOfTime(ScrubTimeoutException cause) {
            super(cause.getMessage(), cause);
        }
    }
}

package io.llmrelay.relay.out;

import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.secrets.KnownSecrets;
import java.io.IOException;

/**
 * An exception that escaped the request path, which no code meant to let happen: it is still one
 * request log line (status, {@code internal_error}, and the exception as {@link #describe} words
 * it), and the caller still gets the error contract: a 500 OpenAI error when nothing has gone out
 * yet, the stream's failure in its own format when a stream had begun (for chat an error event and
 * {@code [DONE]}). It goes no further: the runtime
 * would print it and report it to Lambda, whole message and all.
 */
public final class EscapedFailure {
    public static final String CODE = "internal_error";

    private EscapedFailure() {}

    /** The type and the message with every known key redacted: what may be logged of an exception. */
    public static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getName() + (message == null ? "" : ": " + KnownSecrets.redact(message));
    }

    public static void answer(Throwable e, CallerOutput out, ErrorContract contract) {
        RequestLog log = out.log();
        log.error(CODE);
        log.errorDetail(describe(e));
        OpenAiError error = OpenAiError.internal("The relay failed unexpectedly while handling this request.");
        try {
            if (!out.committed()) {
                contract.replyOwn(error);
            } else if (log.streamStarted() && out.stream() != null) {
                out.stream().fail(error); // in the stream's own format: chat's error event and [DONE], or Responses'
            }
        } catch (IOException | RuntimeException gone) {
            // The caller went away (or the response broke): the log line is all there is to tell.
        }
    }
}

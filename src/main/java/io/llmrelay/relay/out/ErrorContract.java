package io.llmrelay.relay.out;

import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.relay.watch.ReadFailure;
import java.io.IOException;
import java.util.Map;

/**
 * The error contract: how every failure reaches the caller, and in what words.
 *
 * <pre>
 * when                          the caller gets
 * before the first byte         the error's HTTP status and {"error":{"message","type","param","code"}}   reply
 * after it (a stream began)     one error event and the stream's end, in the stream's own format        fail
 * the caller has gone           nothing (the request log says caller_disconnected)
 * </pre>
 *
 * Before the first byte the relay may still retry or fall back (its attempts never write); after
 * it, never. Whatever may quote an upstream (its refusal body and headers, its in-stream error, an
 * exception about it) is scrubbed of the request's upstream keys and of masked keys
 * ({@link ResponseScrubber}) before it goes out; every byte of an answer is too ({@link CallerOutput}).
 *
 * <p>What the relay says about an upstream failure (the request path's own refusals, 401 to 413,
 * are {@link OpenAiError}'s factories):
 * <pre>
 * failure                                     status  code                        words
 * deadline passed before the upstream answered  504   deadline_exceeded           {@link #deadlineBeforeAnswer}
 * no response head in the first-byte timeout    504   upstream_timeout            {@link #noAnswerInTime}
 * request could not be sent                     502   upstream_unavailable        {@link #unsendable}
 * upstream unreachable                          502   upstream_unavailable        {@link #unreachable}
 * whole JSON body where a stream was asked for  502   upstream_invalid_response   {@link #notAStream}
 * stream ended before its first event           502   upstream_unavailable        {@link #emptyStream}
 * a read stopped: idle, deadline, broken        504 / 504 / 502, by phase         {@link #readFailure}
 * a stream reached its maxStreamSeconds          504   stream_time_limit (an event)  {@link #readFailure}
 * whole answer larger than the relay holds      502   upstream_invalid_response   {@link #tooLarge}
 * refusal (non-2xx)                             4xx as sent, or 4xx / 502         {@link #relayRefusal}
 * translating upstream's 503 (provider busy)    503 as its error table says       {@link #relayRefusal}
 * answer not scrubbed before the deadline       504   deadline_exceeded           {@link #outOfTime}
 * an upstream's error or unreadable event       502 before the first byte, else an error event
 * an exception that escaped the request path    500   internal_error              {@link EscapedFailure}
 * </pre>
 */
public final class ErrorContract {
    /** Where a read of an upstream answer stopped: the same cause is told in the words of its phase. */
    public enum Phase {
        /** Waiting for a stream's first event, before anything went to the caller. */
        OPENING,
        /** Mid-stream: the caller has the head and some chunks. */
        STREAMING,
        /** Reading a whole (non-streaming) answer, before anything went to the caller. */
        WHOLE
    }

    private final CallerOutput out;

    public ErrorContract(CallerOutput out) {
        this.out = out;
    }

    /** Before the first byte, once upstream keys are known: the error may quote an upstream, so it is scrubbed. */
    public void reply(OpenAiError error) throws IOException {
        replyOwn(out.scrubber().error(error));
    }

    /** Before the first byte, in the relay's own words only (nothing in it came from an upstream): as it is. */
    public void replyOwn(OpenAiError error) throws IOException {
        byte[] body = error.toJson();
        RequestLog log = out.log();
        log.status(error.status());
        log.error(code(error));
        log.sent(body.length);
        out.response().send(error.status(), "application/json", body);
    }

    /**
     * A stream could not go on: before the first byte as {@link #reply}, after it through
     * {@code writer} (error event and end).
     *
     * @param upstreamWords the error quotes the upstream (scrubbed before it goes anywhere)
     */
    public void fail(OpenAiError error, boolean upstreamWords, ChunkWriter writer) throws IOException {
        OpenAiError told = upstreamWords ? out.scrubber().error(error) : error;
        if (!out.committed()) {
            reply(told);
            return;
        }
        out.log().error(code(told));
        writer.fail(told);
    }

    /** An upstream's own refusal: {@link #relayRefusal(String, int, Map, byte[], boolean)}, not translated. */
    public void relayRefusal(String route, int status, Map<String, String> headers, byte[] body) throws IOException {
        relayRefusal(route, status, headers, body, false);
    }

    /**
     * An upstream's refusal (a non-2xx, read up to a bound): a 4xx with an OpenAI-shaped body goes
     * to the caller as it is, scrubbed (status, body, and {@code retry-after} on 429); anything else,
     * 5xx above all, is the upstream failing: 502 (a 4xx without such a body keeps its status).
     * One exception: a translating upstream's 503 (Anthropic overloaded_error, Bedrock
     * ServiceUnavailableException, ...: the provider is busy, not broken) stays a 503 with its
     * table's body and {@code retry-after}, so that the caller backs off as the provider asked.
     *
     * @param translated the refusal is a translating upstream's error-table answer ({@code UpstreamAnswer.Refusal})
     */
    public void relayRefusal(String route, int status, Map<String, String> headers, byte[] body, boolean translated)
            throws IOException {
        ResponseScrubber scrubber = out.scrubber();
        OpenAiError shaped = OpenAiError.fromUpstreamBody(status, body);
        shaped = shaped == null ? null : scrubber.error(shaped);
        boolean busy = translated && status == 503;
        if ((status >= 400 && status < 500 || busy) && shaped != null) {
            byte[] clean = scrubber.upstreamErrorBody(body);
            String retryAfter = scrubber.upstreamText(headers.get("retry-after"));
            if ((status == 429 || busy) && retryAfter != null) {
                out.response().header("retry-after", retryAfter);
            }
            out.log().status(status);
            out.log().error(code(shaped));
            out.response().status(status).header("content-type", "application/json");
            out.send(clean);
            return;
        }
        String detail = shaped != null ? ": " + shaped.message() : "";
        String words = "The upstream of route '" + route + "' answered " + status + detail;
        reply(status >= 400 && status < 500
                ? new OpenAiError(status, words, OpenAiError.INVALID_REQUEST, null, "upstream_error")
                : OpenAiError.upstreamUnavailable(words));
    }

    /**
     * The deadline came while an answer was being scrubbed: instead of it, the caller learns why,
     * as a 504 or, once a stream began, as its error event.
     *
     * @param deadlineMarginMs the configured margin, which the words name
     */
    public void outOfTime(ChunkWriter writer, long deadlineMarginMs) throws IOException {
        OpenAiError late = outOfTime(deadlineMarginMs);
        if (!out.committed()) {
            replyOwn(late);
            return;
        }
        out.log().error(late.code());
        try {
            writer.fail(late);
        } catch (CallerGoneException e) {
            out.log().error("caller_disconnected");
        }
    }

    /** What the request log records for an error: its code, else its type. */
    static String code(OpenAiError error) {
        return error.code() != null ? error.code() : error.type();
    }

    public static OpenAiError deadlineBeforeAnswer(long marginMs) {
        return OpenAiError.deadlineExceeded("The invocation is about to reach its time limit ("
                + marginMs + " ms margin) before the upstream answered.");
    }

    /** Not retried: another wait as long would double the silence the caller hears. */
    public static OpenAiError noAnswerInTime(String route, long firstByteTimeoutMs) {
        return OpenAiError.upstreamTimeout("The upstream of route '" + route + "' did not answer within "
                + firstByteTimeoutMs + " ms.");
    }

    public static OpenAiError unsendable(String route, String detail) {
        return OpenAiError.upstreamUnavailable("The request to the upstream of route '" + route
                + "' could not be sent: " + detail);
    }

    public static OpenAiError unreachable(String route, String detail) {
        return OpenAiError.upstreamUnavailable("The upstream of route '" + route + "' could not be reached: " + detail);
    }

    public static OpenAiError notAStream(String route, String mediaType) {
        return OpenAiError.upstreamInvalidResponse("The upstream of route '" + route
                + "' answered a streaming request with " + mediaType + " instead of an event stream.");
    }

    public static OpenAiError emptyStream(String route) {
        return OpenAiError.upstreamUnavailable("The upstream of route '" + route
                + "' ended its stream without sending any event.");
    }

    /**
     * A read of an upstream answer that stopped, by cause and phase.
     *
     * <pre>
     *            OPENING                          WHOLE                              STREAMING
     * DEADLINE   504 ... before the upstream      504 ... before the upstream's      504 ... while the upstream was
     *            answered                         answer was complete                still streaming
     * IDLE       504 upstream_timeout: the upstream of route 'r' sent nothing for N ms (every phase)
     * STREAM_LIMIT                                                                 504 stream_time_limit: the
     *                                                                              stream reached route 'r''s
     *                                                                              maxStreamSeconds
     * BROKEN     502 ... broke off before its     502 The upstream answer broke      502 The upstream stream broke
     *            first event (retried)            off: ...                           off: ...
     * </pre>
     */
    public static OpenAiError readFailure(ReadFailure failure, Phase phase, String route, long idleTimeoutMs,
            long marginMs) {
        return switch (failure.why()) {
            case STREAM_LIMIT -> OpenAiError.streamTimeLimit("The stream reached the time limit of route '" + route
                    + "' (maxStreamSeconds) and was ended by the relay.");
            case DEADLINE -> switch (phase) {
                case OPENING -> deadlineBeforeAnswer(marginMs);
                case WHOLE -> OpenAiError.deadlineExceeded("The invocation reached its time limit (" + marginMs
                        + " ms margin) before the upstream's answer was complete.");
                case STREAMING -> OpenAiError.deadlineExceeded("The invocation reached its time limit (" + marginMs
                        + " ms margin) while the upstream was still streaming.");
            };
            case IDLE -> OpenAiError.upstreamTimeout("The upstream of route '" + route + "' sent nothing for "
                    + idleTimeoutMs + " ms.");
            case BROKEN -> OpenAiError.upstreamUnavailable(switch (phase) {
                case OPENING -> "The upstream stream of route '" + route + "' broke off before its first event: "
                        + failure.getMessage();
                case WHOLE -> "The upstream answer broke off: " + failure.getMessage();
                case STREAMING -> "The upstream stream broke off: " + failure.getMessage();
            });
        };
    }

    /** @param size how the limit was passed ("larger than N bytes") */
    public static OpenAiError tooLarge(String size) {
        return OpenAiError.upstreamInvalidResponse("The upstream's answer is " + size
                + ", the most the relay passes on whole.");
    }

    static OpenAiError outOfTime(long marginMs) {
        return OpenAiError.deadlineExceeded("The invocation reached its time limit (" + marginMs
                + " ms margin) before the upstream's answer was checked for keys.");
    }
}

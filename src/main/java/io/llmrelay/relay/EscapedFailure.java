package io.llmrelay.relay;

import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.openai.ChatSse;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.secrets.KnownSecrets;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An exception that escaped the request path, which no code meant to let happen: it is still one
 * request log line (status, {@code internal_error}, and the exception as {@link #describe} words
 * it), and the caller still gets the error contract: a 500 OpenAI error when nothing has gone out
 * yet, an error event and {@code [DONE]} when a stream had begun. It goes no further: the runtime
 * would print it and report it to Lambda, whole message and all.
 */
final class EscapedFailure {
    static final String CODE = "internal_error";

    private EscapedFailure() {}

    /** The type and the message with every known key redacted: what may be logged of an exception. */
    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getName() + (message == null ? "" : ": " + KnownSecrets.redact(message));
    }

    static void answer(Throwable e, FunctionUrlResponse response, RequestLog log) {
        log.error(CODE);
        log.errorDetail(describe(e));
        OpenAiError error = OpenAiError.internal("The relay failed unexpectedly while handling this request.");
        try {
            if (!response.isCommitted()) {
                ErrorReply.send(response, log, error);
            } else if (log.streamStarted()) {
                OutputStream out = response.body();
                out.write(ChatSse.errorEvent(error));
                out.write(ChatSse.done());
                out.flush();
            }
        } catch (IOException | RuntimeException gone) {
            // The caller went away (or the response broke): the log line is all there is to tell.
        }
    }
}

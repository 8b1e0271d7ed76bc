package io.llmrelay.relay;

import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.openai.OpenAiError;
import java.io.IOException;

/** An OpenAI error as a whole HTTP response: its status, {@code {"error":{...}}}, logged. */
final class ErrorReply {
    private ErrorReply() {}

    static void send(FunctionUrlResponse response, RequestLog log, OpenAiError error) throws IOException {
        byte[] body = error.toJson();
        log.status(error.status());
        log.error(error.code() != null ? error.code() : error.type());
        log.sent(body.length);
        response.send(error.status(), "application/json", body);
    }
}

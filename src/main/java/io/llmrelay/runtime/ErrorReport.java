package io.llmrelay.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;

/**
 * The error document of the Runtime API ({@code {"errorMessage","errorType","stackTrace"}}),
 * sent to {@code /error}, {@code /init/error} or, base64-encoded, in the stream's error trailer.
 *
 * @param category the {@code Lambda-Runtime-Function-Error-Type} value, {@code Category.Reason}
 *                 as the Runtime API documentation recommends (for example {@code Runtime.Unhandled})
 */
public record ErrorReport(String category, String errorType, String errorMessage, String[] stackTrace) {

    public static ErrorReport of(String category, Throwable error) {
        StackTraceElement[] frames = error.getStackTrace();
        String[] trace = new String[frames.length];
        for (int i = 0; i < frames.length; i++) {
            trace[i] = frames[i].toString();
        }
        String message = error.getMessage() != null ? error.getMessage() : error.getClass().getName();
        return new ErrorReport(category, error.getClass().getName(), message, trace);
    }

    public byte[] toJson() {
        ObjectNode body = Json.object();
        body.put("errorMessage", errorMessage);
        body.put("errorType", errorType);
        ArrayNode trace = body.putArray("stackTrace");
        for (String frame : stackTrace) {
            trace.add(frame);
        }
        return Json.writeBytes(body);
    }
}

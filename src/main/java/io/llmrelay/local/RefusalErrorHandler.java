package io.llmrelay.local;

import io.llmrelay.openai.OpenAiError;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * What serve answers when Jetty itself refuses a request before the function could see it
 * (a malformed request line or header, headers over the size limit, an unsupported transfer
 * coding, a failure in serve itself): an OpenAI-shaped JSON error with an {@code x-request-id},
 * as the relay answers every refusal, never Jetty's HTML page.
 *
 * <p>Jetty calls the server's error handler for such refusals ({@code Server.setErrorHandler},
 * https://eclipse.dev/jetty/javadoc/jetty-12/org/eclipse/jetty/server/handler/ErrorHandler.html);
 * {@code generateResponse} is the hook that writes the body.
 */
final class RefusalErrorHandler extends ErrorHandler {
    /** The error {@code code} for each status Jetty refuses with; others get {@code http_<status>}. */
    private static final Map<Integer, String> CODES = Map.of(
            400, "bad_request",
            408, "request_timeout",
            413, "request_too_large",
            414, "uri_too_long",
            417, "expectation_failed",
            431, "request_header_fields_too_large",
            500, "internal_error",
            501, "not_implemented",
            505, "http_version_not_supported");
    /** Jetty's reasons are fixed texts; the cap only guards against one that quotes the request. */
    private static final int MAX_REASON = 200;

    /** Every method gets a body, not only those Jetty writes error pages for by default. */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        OpenAiError error = errorFor(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("x-request-id", UUID.randomUUID().toString());
        response.write(true, ByteBuffer.wrap(error.toJson()), callback);
    }

    static OpenAiError errorFor(int status, String reason) {
        String standard = HttpStatus.getMessage(status);
        String why = reason == null || reason.isBlank() || reason.equals(standard) ? "" : ": " + cap(reason);
        String message = "serve refused the request before it reached the function (" + status + " " + standard + why + ").";
        String type = status >= 500 ? OpenAiError.API_ERROR : OpenAiError.INVALID_REQUEST;
        return new OpenAiError(status, message, type, null, CODES.getOrDefault(status, "http_" + status));
    }

    private static String cap(String reason) {
        return reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON) + "...";
    }
}

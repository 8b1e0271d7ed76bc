package io.llmrelay.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.IOException;

/**
 * An error in OpenAI's wire shape, {@code {"error":{"message","type","param","code"}}}, with the
 * HTTP status it travels with. Clients (the OpenAI SDKs, Vapi, avatar platforms) read these four
 * fields, so the relay speaks this shape for its own errors too.
 */
public record OpenAiError(int status, String message, String type, String param, String code) {
    public static final String INVALID_REQUEST = "invalid_request_error";
    public static final String API_ERROR = "api_error";
    private static final int MAX_ECHO = 256;

    public OpenAiError {
        if (message == null) {
            throw new IllegalArgumentException("an OpenAI error needs a message");
        }
    }

    /** {@code {"error":{"message":...,"type":...,"param":...,"code":...}}}; absent fields are JSON null. */
    public byte[] toJson() {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return Json.writeBytes(root);
    }

    public static OpenAiError invalidRequest(String param, String message) {
        return new OpenAiError(400, message, INVALID_REQUEST, param, null);
    }

    public static OpenAiError invalidApiKey(String message) {
        return new OpenAiError(401, message, INVALID_REQUEST, null, "invalid_api_key");
    }

    public static OpenAiError modelNotFound(String model) {
        return new OpenAiError(404, "The model `" + echo(model) + "` does not exist or you do not have access to it.",
                INVALID_REQUEST, "model", "model_not_found");
    }

    public static OpenAiError notFound(String path) {
        return new OpenAiError(404, "Unknown request URL: " + echo(path) + ". Please check the URL for typos.",
                INVALID_REQUEST, null, "unknown_url");
    }

    public static OpenAiError methodNotAllowed(String method, String path) {
        return new OpenAiError(405, "Method " + echo(method) + " is not allowed for " + echo(path) + ".",
                INVALID_REQUEST, null, "method_not_allowed");
    }

    public static OpenAiError requestTooLarge(long limit) {
        return new OpenAiError(413, "The request body is larger than the limit of " + limit + " bytes.",
                INVALID_REQUEST, null, "request_too_large");
    }

    public static OpenAiError upstreamUnavailable(String message) {
        return new OpenAiError(502, message, API_ERROR, null, "upstream_unavailable");
    }

    public static OpenAiError upstreamTimeout(String message) {
        return new OpenAiError(504, message, API_ERROR, null, "upstream_timeout");
    }

    /**
     * The invocation is about to reach Lambda's deadline: the relay ends the answer itself rather
     * than be stopped mid-event.
     */
    public static OpenAiError deadlineExceeded(String message) {
        return new OpenAiError(504, message, API_ERROR, null, "deadline_exceeded");
    }

    /** The stream reached its route's {@code maxStreamSeconds} and the relay ended it. */
    public static OpenAiError streamTimeLimit(String message) {
        return new OpenAiError(504, message, API_ERROR, null, "stream_time_limit");
    }

    /** The upstream sent something that is not a chat completion stream (an event that is not one JSON object). */
    public static OpenAiError upstreamInvalidResponse(String message) {
        return new OpenAiError(502, message, API_ERROR, null, "upstream_invalid_response");
    }

    public static OpenAiError keyUnavailable(String routeName) {
        return new OpenAiError(503, "The upstream API key for route '" + routeName + "' is not available.",
                API_ERROR, null, "upstream_key_unavailable");
    }

    /** As {@link #keyUnavailable(String)}, saying why: {@code reason} must never quote the key. */
    public static OpenAiError keyUnavailable(String routeName, String reason) {
        return new OpenAiError(503, "The upstream API key for route '" + routeName + "' is not available: "
                + reason + ".", API_ERROR, null, "upstream_key_unavailable");
    }

    public static OpenAiError internal(String message) {
        return new OpenAiError(500, message, API_ERROR, null, "internal_error");
    }

    /**
     * The upstream's own error when its body is OpenAI-shaped ({@code {"error":{"message":...}}}),
     * so the caller sees the provider's words; null for any other body, which the caller should
     * replace with an error of its own rather than forward unknown bytes.
     */
    public static OpenAiError fromUpstreamBody(int status, byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
        if (root == null || !root.isObject()) {
            return null;
        }
        JsonNode error = root.get("error");
        if (error == null || !error.isObject() || !error.path("message").isTextual()) {
            return null;
        }
        return fromErrorObject(status, error);
    }

    /**
     * Reads an {@code error} object leniently: providers send {@code code} as a number or omit
     * {@code type}, and a missing type is inferred from the status the way OpenAI assigns it.
     */
    public static OpenAiError fromErrorObject(int status, JsonNode error) {
        JsonNode message = error.get("message");
        String text = message != null && message.isTextual() ? message.asText()
                : "The upstream reported an error without a message.";
        String type = scalarText(error.get("type"));
        if (type == null) {
            type = status >= 400 && status < 500 ? INVALID_REQUEST : API_ERROR;
        }
        return new OpenAiError(status, text, type, scalarText(error.get("param")), scalarText(error.get("code")));
    }

    /** Caller-supplied text quoted in an error, cut short: a 100 KB path must not come back as a 100 KB error. */
    static String echo(String text) {
        if (text == null || text.length() <= MAX_ECHO) {
            return text;
        }
        return text.substring(0, MAX_ECHO) + "...";
    }

    private static String scalarText(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
    }
}

package io.llmrelay.relay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.PrintStream;

/**
 * One structured line per request: who, which route and model, how it went and how fast. No
 * message content and no key ever goes in here: only the fields below exist.
 */
final class RequestLog {
    private final String requestId;
    private final long startNanos = System.nanoTime();
    private String caller;
    private String route;
    private String model;
    private int status;
    private int upstreamStatus;
    private String errorType;
    private long firstByteNanos = -1;
    private int chunks;
    private long bytes;
    private boolean stream;

    RequestLog(String requestId) {
        this.requestId = requestId;
    }

    void caller(String name) {
        caller = name;
    }

    void route(String name, String requestedModel, boolean streaming) {
        route = name;
        model = requestedModel;
        stream = streaming;
    }

    void status(int httpStatus) {
        status = httpStatus;
    }

    void upstreamStatus(int httpStatus) {
        upstreamStatus = httpStatus;
    }

    void error(String type) {
        errorType = type;
    }

    /** One chunk (or whole body) went to the caller. */
    void sent(int byteCount) {
        if (firstByteNanos < 0) {
            firstByteNanos = System.nanoTime();
        }
        chunks++;
        bytes += byteCount;
    }

    void write(PrintStream out) {
        long now = System.nanoTime();
        ObjectNode line = Json.object();
        line.put("log", "request");
        line.put("requestId", requestId);
        line.put("caller", caller);
        line.put("route", route);
        line.put("model", model);
        line.put("stream", stream);
        line.put("status", status);
        if (upstreamStatus != 0) {
            line.put("upstreamStatus", upstreamStatus);
        }
        if (firstByteNanos >= 0) {
            line.put("timeToFirstByteMs", (firstByteNanos - startNanos) / 1_000_000.0);
        }
        line.put("durationMs", (now - startNanos) / 1_000_000.0);
        line.put("chunks", chunks);
        line.put("bytes", bytes);
        if (errorType != null) {
            line.put("error", errorType);
        }
        out.println(Json.write(line));
    }
}

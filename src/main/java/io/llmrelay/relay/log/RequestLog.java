package io.llmrelay.relay.log;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One structured line per request: who, which route and model, how it went and how fast. No
 * message content and no key ever goes in here: only the fields below exist, and the one field a
 * caller chooses freely (the model name) is cut short.
 */
public final class RequestLog implements AttemptLog {
    /** Model names are short; a caller sending a 100 KB one must not get a 100 KB log line. */
    private static final int MAX_MODEL_CHARS = 200;
    /** A reason is a sentence; an exception message may be anything, so it is cut short. */
    private static final int MAX_DETAIL_CHARS = 500;

    private final String requestId;
    private final long startNanos = System.nanoTime();
    private String caller;
    private String route;
    private String upstreamRoute;
    private String model;
    private int status;
    private int upstreamStatus;
    private String errorType;
    private String errorDetail;
    private long firstByteNanos = -1;
    private int chunks;
    private long bytes;
    private boolean stream;
    private int attempts;
    private long retryWaitMs;
    private final List<Attempt> attemptLog = new ArrayList<>();
    private ObjectNode hedge;

    /**
     * One upstream attempt, for {@code debug}: the route, what came of it, when (ms after the
     * request began) and, where the relay knows more than the outcome, why (null otherwise).
     */
    private record Attempt(String route, String outcome, long atMs, String detail) {}

    public RequestLog(String requestId) {
        this.requestId = requestId;
    }

    public void caller(String name) {
        caller = name;
    }

    public void route(String name, String requestedModel, boolean streaming) {
        route = name;
        model = requestedModel == null || requestedModel.length() <= MAX_MODEL_CHARS
                ? requestedModel : requestedModel.substring(0, MAX_MODEL_CHARS) + "...";
        stream = streaming;
    }

    public void status(int httpStatus) {
        status = httpStatus;
    }

    @Override
    public void upstreamStatus(int httpStatus) {
        upstreamStatus = httpStatus;
    }

    /**
     * As {@link #attempt(String, String)}, with why it failed in words that are safe to log (a key
     * resolver's reason, an upstream's host and socket error): never a key, ciphertext or content.
     */
    @Override
    public void attempt(String routeName, String outcome, String detail) {
        attemptAt(routeName, outcome, detail, System.nanoTime());
    }

    /** As {@link #attempt(String, String, String)}, for an attempt whose outcome came at {@code atNanos} ({@link System#nanoTime()}). */
    public void attemptAt(String routeName, String outcome, String detail, long atNanos) {
        attempts++;
        upstreamRoute = routeName;
        attemptLog.add(new Attempt(routeName, outcome, (atNanos - startNanos) / 1_000_000, cut(detail)));
    }

    /**
     * How a hedged first token went: the route hedged with, whether the hedge started, which
     * attempt won ({@code primary}, {@code hedge}, or {@code none} when both failed), and how long
     * each took to its first event, failure or cancellation (null: the hedge never started).
     */
    public void hedge(String hedgeRoute, boolean started, String winner, long primaryMs, Long hedgeMs) {
        hedge = Json.object().put("route", hedgeRoute).put("started", started).put("winner", winner)
                .put("primaryMs", primaryMs);
        if (hedgeMs != null) {
            hedge.put("hedgeMs", hedgeMs);
        }
    }

    /** The relay waited this long before its next attempt. */
    public void retryWait(long millis) {
        retryWaitMs += millis;
    }

    public void error(String type) {
        errorType = type;
    }

    /**
     * Why the request failed, when the error code does not say it all (an exception that escaped
     * the request path: its type and its message with every known key redacted). Shown on the line
     * of a failed request; without it, such a line shows the last attempt's detail.
     */
    public void errorDetail(String safeText) {
        errorDetail = cut(safeText);
    }

    private static String cut(String text) {
        return text == null || text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "...";
    }

    /** Whether a streamed answer began (its 200 head and first event went out). */
    public boolean streamStarted() {
        return stream && status == 200 && chunks > 0;
    }

    /** One chunk (or whole body) went to the caller. */
    public void sent(int byteCount) {
        if (firstByteNanos < 0) {
            firstByteNanos = System.nanoTime();
        }
        chunks++;
        bytes += byteCount;
    }

    /** Writes the line if {@code level} wants it: requests that failed are {@code error}, the rest {@code info}. */
    public void write(PrintStream out, LogLevel level) {
        LogLevel lineLevel = errorType != null ? LogLevel.ERROR : LogLevel.INFO;
        if (!level.logs(lineLevel)) {
            return;
        }
        long now = System.nanoTime();
        ObjectNode line = Json.object();
        line.put("log", "request");
        line.put("level", lineLevel.name().toLowerCase(Locale.ROOT));
        line.put("requestId", requestId);
        line.put("caller", caller);
        line.put("route", route);
        line.put("model", model);
        line.put("stream", stream);
        line.put("status", status);
        if (upstreamStatus != 0) {
            line.put("upstreamStatus", upstreamStatus);
        }
        if (attempts > 0) {
            line.put("attempts", attempts);
        }
        if (upstreamRoute != null && !upstreamRoute.equals(route)) {
            line.put("upstreamRoute", upstreamRoute); // a fallback answered
        }
        if (retryWaitMs > 0) {
            line.put("retryWaitMs", retryWaitMs);
        }
        if (hedge != null) {
            line.set("hedge", hedge);
        }
        if (firstByteNanos >= 0) {
            line.put("timeToFirstByteMs", (firstByteNanos - startNanos) / 1_000_000.0);
        }
        line.put("durationMs", (now - startNanos) / 1_000_000.0);
        line.put("chunks", chunks);
        line.put("bytes", bytes);
        if (errorType != null) {
            line.put("error", errorType);
            String why = errorDetail != null || attemptLog.isEmpty() ? errorDetail : attemptLog.getLast().detail();
            if (why != null) {
                line.put("errorDetail", why);
            }
        }
        if (level == LogLevel.DEBUG && !attemptLog.isEmpty()) {
            writeAttempts(line.putArray("attemptLog"));
        }
        out.println(Json.write(line));
    }

    private void writeAttempts(ArrayNode entries) {
        for (Attempt attempt : attemptLog) {
            ObjectNode entry = entries.addObject().put("route", attempt.route()).put("outcome", attempt.outcome())
                    .put("atMs", attempt.atMs());
            if (attempt.detail() != null) {
                entry.put("detail", attempt.detail());
            }
        }
    }
}

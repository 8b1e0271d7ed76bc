package io.llmrelay.relay.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.metrics.RequestOutcome;
import io.llmrelay.openai.Usage;
import io.llmrelay.trace.TraceContext;
import io.llmrelay.trace.TraceParent;
import java.io.PrintStream;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * One structured line per request: who, which route and model, how it went and how fast, how
 * many tokens, and the ids that join it to the caller's and the upstream's logs. No message
 * content and no key ever goes in here: only the fields below exist, the one field a caller
 * chooses freely (the model name) is cut short, and ids from outside are {@link LoggedId}s.
 * {@link #outcome()} gives the same request to the metrics.
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
    /** The model as requested, whole: the metrics bound it their own way. */
    private String requestedModel;
    private String callerRequestId;
    private String upstreamRequestId;
    private String traceparent;
    private Usage usage = Usage.UNKNOWN;
    private long endNanos = -1;
    private int status;
    private int upstreamStatus;
    private String errorType;
    private String errorDetail;
    private long firstByteNanos = -1;
    private int chunks;
    private long bytes;
    private boolean stream;
    private long retryWaitMs;
    private final Attempts attemptLog = new Attempts();
    private ObjectNode hedge;

    public RequestLog(String requestId) {
        this.requestId = requestId;
    }

    public void caller(String name) {
        caller = name;
    }

    public void route(String name, String requestedModel, boolean streaming) {
        route = name;
        this.requestedModel = requestedModel;
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
     * The caller's own id for the request: its {@code x-request-id} when that is a {@link LoggedId},
     * else its {@code traceparent} when that is a valid one; else none.
     */
    public void callerRequestId(String xRequestId, String traceparent) {
        String id = LoggedId.of(xRequestId);
        if (id == null && TraceParent.parse(traceparent).isPresent()) {
            id = LoggedId.of(traceparent);
        }
        callerRequestId = id;
    }

    /** The upstream's id for the latest attempt's exchange (null when it sent none); kept when it is a {@link LoggedId}. */
    @Override
    public void upstreamRequestId(String id) {
        upstreamRequestId = LoggedId.of(id);
    }

    /** The trace the upstream calls carried. */
    public void trace(TraceContext trace) {
        traceparent = trace == null ? null : trace.traceparent();
    }

    /** The token counts the upstream reported for the answer relayed. */
    public void usage(Usage reported) {
        usage = reported == null ? Usage.UNKNOWN : reported;
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
        upstreamRoute = routeName;
        attemptLog.add(routeName, outcome, (atNanos - startNanos) / 1_000_000, cut(detail));
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
        long now = end();
        ObjectNode line = Json.object();
        line.put("log", "request");
        line.put("level", lineLevel.name().toLowerCase(Locale.ROOT));
        putRequest(line);
        putUpstream(line);
        putAnswer(line, now);
        if (errorType != null) {
            line.put("error", errorType);
            putIfSet(line, "errorDetail", errorDetail != null ? errorDetail : attemptLog.lastDetail());
        }
        if (level == LogLevel.DEBUG && attemptLog.size() > 0) {
            attemptLog.writeTo(line.putArray("attemptLog"));
        }
        out.println(Json.write(line));
    }

    /** Which request: its ids, who sent it, for which route and model, streamed or not. */
    private void putRequest(ObjectNode line) {
        line.put("requestId", requestId);
        putIfSet(line, "callerRequestId", callerRequestId);
        putIfSet(line, "traceparent", traceparent);
        line.put("caller", caller);
        line.put("route", route);
        line.put("model", model);
        line.put("stream", stream);
        line.put("status", status);
    }

    /** How the upstream side went: its status and id, the attempts, a fallback, the waits, a hedge. */
    private void putUpstream(ObjectNode line) {
        if (upstreamStatus != 0) {
            line.put("upstreamStatus", upstreamStatus);
        }
        putIfSet(line, "upstreamRequestId", upstreamRequestId);
        if (attemptLog.size() > 0) {
            line.put("attempts", attemptLog.size());
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
    }

    /** What went to the caller, how fast, and the tokens it cost. */
    private void putAnswer(ObjectNode line, long now) {
        if (firstByteNanos >= 0) {
            line.put("timeToFirstByteMs", sinceStartMs(firstByteNanos));
        }
        line.put("durationMs", sinceStartMs(now));
        line.put("chunks", chunks);
        line.put("bytes", bytes);
        usage.promptTokens().ifPresent(n -> line.put("promptTokens", n));
        usage.completionTokens().ifPresent(n -> line.put("completionTokens", n));
    }

    /**
     * The request as the metrics see it, with the same times as its log line. Retries are the
     * upstream attempts beyond the first on each route tried; fallbacks the routes tried after the first,
     * but for a hedge's.
     */
    public RequestOutcome outcome() {
        long now = end();
        return new RequestOutcome(requestId, route, requestedModel, caller, status, errorType,
                firstByteNanos >= 0 ? OptionalDouble.of(sinceStartMs(firstByteNanos)) : OptionalDouble.empty(),
                sinceStartMs(now), usage.promptTokens(), usage.completionTokens(),
                attemptLog.retries(), Math.max(0, attemptLog.fallbacks() - (hedgeStarted() ? 1 : 0)));
    }

    /** A hedge's attempt is on a route of its own, but it is not a fallback. */
    private boolean hedgeStarted() {
        return hedge != null && hedge.path("started").asBoolean();
    }

    /** When the request ended: the first time anyone asks, so the log line and the metrics agree. */
    private long end() {
        if (endNanos < 0) {
            endNanos = System.nanoTime();
        }
        return endNanos;
    }

    private double sinceStartMs(long nanos) {
        return (nanos - startNanos) / 1_000_000.0;
    }

    private static void putIfSet(ObjectNode line, String field, String value) {
        if (value != null) {
            line.put(field, value);
        }
    }
}

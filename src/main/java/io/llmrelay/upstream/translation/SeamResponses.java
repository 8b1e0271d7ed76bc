package io.llmrelay.upstream.translation;

import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * TEMPORARY SEAM, with {@link TranslatedSseBody}: what a translated provider answer looks like to
 * today's relay, which expects OpenAI-shaped HTTP responses from every upstream. A failure before
 * any chunk becomes a response with the mapped status and an OpenAI error body, so the relay's
 * retries (429, 502, 503, 504) and its "4xx passes through" rule apply to it unchanged.
 */
public final class SeamResponses {
    private SeamResponses() {}

    /** The failure as an OpenAI error response; {@code retryAfter} (may be null) is passed on. */
    public static UpstreamResponse error(OpenAiError error, String retryAfter) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        if (retryAfter != null) {
            headers.put("retry-after", retryAfter);
        }
        return new UpstreamResponse(error.status(), headers, new ByteArrayInputStream(error.toJson()));
    }

    public static UpstreamResponse json(byte[] body) {
        return new UpstreamResponse(200, Map.of("content-type", "application/json"), new ByteArrayInputStream(body));
    }

    public static UpstreamResponse stream(TranslatedSseBody body) {
        return new UpstreamResponse(200, Map.of("content-type", "text/event-stream"), body);
    }

    /** What is left of {@code total} since {@code startNanos}. */
    public static Duration remaining(long startNanos, Duration total) {
        return total.minusNanos(System.nanoTime() - startNanos);
    }

    /**
     * A whole body (an error, a non-streaming answer) up to {@code maxBytes}, read within {@code limit}:
     * past it the exchange is aborted and {@link TranslatedSseBody.TimedOut} thrown.
     */
    public static byte[] readWithin(UpstreamResponse answer, int maxBytes, Duration limit)
            throws IOException, TranslatedSseBody.TimedOut {
        AtomicBoolean fired = new AtomicBoolean();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            fired.set(true);
            answer.close();
        }, CompletableFuture.delayedExecutor(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS));
        try {
            return answer.readBody(maxBytes);
        } catch (IOException e) {
            if (fired.get()) {
                throw new TranslatedSseBody.TimedOut();
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }
}

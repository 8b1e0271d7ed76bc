package io.llmrelay.upstream.translation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.UpstreamAnswer;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A translating upstream's (Anthropic's, Bedrock's) HTTP answer in the relay's terms, the same for
 * both providers:
 *
 * <pre>
 * provider answered                         relay gets
 * not 2xx                                   Refusal: the error table's status and OpenAI error body, retry-after passed on
 * 2xx, not streaming                        Whole: one chat.completion; an unreadable answer is a Refusal as above
 * 2xx stream, failure before any chunk      Refusal as above, so it is retried or relayed like one
 * 2xx stream                                Stream, its first chunk already translated and waiting
 * nothing within the first-byte timeout     UpstreamException TIMEOUT
 * body broke while read whole               UpstreamException CONNECT
 * </pre>
 *
 * Whole bodies and the wait for the first chunk are bounded by what is left of the first-byte
 * timeout: until a chunk is ready, the relay has no answer to bound by its idle timeout.
 */
public final class ProviderAnswers {
    private static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private ProviderAnswers() {}

    /** One provider's side of the translation. */
    public interface Provider {
        /** How messages name it: "Anthropic", "Bedrock". */
        String name();

        /** An error response (status, headers, body read up to 64 KiB) through the provider's error table. */
        StreamFailure error(UpstreamResponse answer, byte[] body);

        /** A whole answer as one {@code chat.completion} for {@code model} (the caller's name for it). */
        ObjectNode completion(byte[] body, String id, long created, String model) throws StreamFailure;

        /** The provider's stream read one event at a time into {@code sink}, as {@code chunks}. */
        TranslatedChunks.Pump pump(UpstreamResponse answer, ChunkSink sink, ChatChunks chunks);
    }

    /**
     * @param answer     the provider's response, head in
     * @param startNanos when the request was sent: the first-byte timeout counts from there
     */
    public static UpstreamAnswer answer(UpstreamResponse answer, ChatRequest chat, UpstreamRequest request,
            long startNanos, Provider provider) throws UpstreamException {
        String upstreamId = answer.requestId();
        try {
            Duration left = request.firstByteTimeout().minusNanos(System.nanoTime() - startNanos);
            if (!answer.isSuccess()) {
                byte[] error = readWithin(answer, MAX_ERROR_BYTES, left);
                answer.close();
                return refusal(provider.error(answer, error).error(), answer.header("retry-after"), upstreamId);
            }
            String id = "chatcmpl-" + request.requestId();
            long created = Instant.now().getEpochSecond();
            // The caller's name for the model, not the one that went upstream (a route's upstreamModel).
            String model = request.callerModel() != null ? request.callerModel() : chat.model();
            if (!chat.stream()) {
                byte[] whole = readWithin(answer, MAX_BODY_BYTES, left);
                answer.close();
                return whole(Json.writeBytes(provider.completion(whole, id, created, model)), upstreamId);
            }
            ChatChunks chunks = new ChatChunks(id, created, model, chat.includeUsage());
            TranslatedChunks stream = new TranslatedChunks(sink -> provider.pump(answer, sink, chunks), answer);
            StreamFailure early = stream.prime(left);
            if (early != null) {
                stream.close();
                return refusal(early.error(), null, upstreamId);
            }
            return new UpstreamAnswer.Stream(200, stream, upstreamId);
        } catch (TranslatedChunks.TimedOut e) {
            answer.close();
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, "no event from " + provider.name() + " within "
                    + request.firstByteTimeout().toMillis() + " ms", e);
        } catch (StreamFailure e) {
            return refusal(e.error(), null, upstreamId);
        } catch (IOException e) {
            answer.close();
            throw new UpstreamException(UpstreamException.Kind.CONNECT, "the " + provider.name() + " answer broke off: "
                    + e.getMessage(), e);
        }
    }

    /**
     * A failure as an OpenAI error response with its status, so that the relay's retries (429,
     * 502, 503, 504) and its "a 4xx passes through" rule apply to it as to any upstream's refusal;
     * marked {@code translated}, so that a 503 (the provider is busy) stays a 503 for the caller
     * when the retries run out, where an upstream's own 5xx becomes a 502.
     *
     * @param retryAfter the provider's {@code retry-after}, passed on; may be null
     */
    public static UpstreamAnswer.Refusal refusal(OpenAiError error, String retryAfter) {
        return refusal(error, retryAfter, null);
    }

    /**
     * A request that names no model (the caller named none and the route has no upstreamModel):
     * a 400 that never reaches the provider, which needs one.
     */
    public static UpstreamAnswer.Refusal missingModel() {
        return refusal(OpenAiError.invalidRequest("model", "Missing required parameter: 'model'."), null);
    }

    /** @param upstreamId the provider's own id for the exchange, kept for the request log; may be null */
    private static UpstreamAnswer.Refusal refusal(OpenAiError error, String retryAfter, String upstreamId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        if (retryAfter != null) {
            headers.put("retry-after", retryAfter);
        }
        putId(headers, upstreamId);
        return new UpstreamAnswer.Refusal(new UpstreamResponse(error.status(), headers,
                new ByteArrayInputStream(error.toJson())), true);
    }

    private static UpstreamAnswer.Whole whole(byte[] completion, String upstreamId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("content-type", "application/json");
        putId(headers, upstreamId);
        return new UpstreamAnswer.Whole(new UpstreamResponse(200, headers, new ByteArrayInputStream(completion)));
    }

    /** The provider's id under the name {@link UpstreamResponse#requestId()} reads first. */
    private static void putId(Map<String, String> headers, String upstreamId) {
        if (upstreamId != null) {
            headers.put("x-request-id", upstreamId);
        }
    }

    /** A whole body up to {@code maxBytes}, read within {@code limit}: past it the exchange is aborted. */
    private static byte[] readWithin(UpstreamResponse answer, int maxBytes, Duration limit)
            throws IOException, TranslatedChunks.TimedOut {
        AtomicBoolean fired = new AtomicBoolean();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            fired.set(true);
            answer.close();
        }, CompletableFuture.delayedExecutor(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS));
        try {
            return answer.readBody(maxBytes);
        } catch (IOException e) {
            if (fired.get()) {
                throw new TranslatedChunks.TimedOut();
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }
}

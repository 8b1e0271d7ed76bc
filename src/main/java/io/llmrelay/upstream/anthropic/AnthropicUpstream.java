package io.llmrelay.upstream.anthropic;

import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.openai.SseEvent;
import io.llmrelay.openai.SseReader;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.translation.ChatChunks;
import io.llmrelay.upstream.translation.ChatRequest;
import io.llmrelay.upstream.translation.ChunkSink;
import io.llmrelay.upstream.translation.OpenAiChunkStream;
import io.llmrelay.upstream.translation.SeamResponses;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslatedSseBody;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TEMPORARY SEAM: an Anthropic route behind today's {@link Upstream} interface, whose answers the
 * relay reads as OpenAI SSE or JSON. The restructure (issue 10) replaces this file with an adapter
 * of its "stream of OpenAI chunks" interface; everything it calls (request and stream translators,
 * error table, client) stays. The caller's body is translated here, the provider's answer read
 * event by event through {@link TranslatedSseBody}; failures before any chunk become responses
 * with the mapped status.
 */
public final class AnthropicUpstream implements Upstream {
    private static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private final AnthropicClient client;
    private final String route;
    private final int defaultMaxTokens;
    private final TranslationNotes notes;

    /** @param notes where this request's translation notes go */
    public AnthropicUpstream(HttpClient client, String route, int defaultMaxTokens, TranslationNotes notes) {
        this.client = new AnthropicClient(client);
        this.route = route;
        this.defaultMaxTokens = defaultMaxTokens;
        this.notes = notes;
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
        long start = System.nanoTime();
        ChatRequest chat;
        try {
            chat = AnthropicRequestTranslator.read(request.body());
        } catch (InvalidRequestException e) {
            return SeamResponses.error(e.error(), null);
        }
        if (chat.model() == null) {
            return SeamResponses.error(OpenAiError.invalidRequest("model", "Missing required parameter: 'model'."), null);
        }
        byte[] body = Json.writeBytes(AnthropicRequestTranslator.toBody(chat, defaultMaxTokens, notes));
        Map<String, String> headers = new LinkedHashMap<>(request.extraHeaders());
        String key = headers.remove(AnthropicClient.KEY_HEADER); // the route's apiKey, placed there by the relay
        UpstreamResponse answer = client.send(request.baseUrl(), key != null ? key : request.apiKey(), headers, body,
                chat.stream(), request.firstByteTimeout());
        return answer(answer, chat, request, start, notes);
    }

    /** The provider's answer as today's relay reads answers: the mapped error, one chat.completion, or SSE. */
    private UpstreamResponse answer(UpstreamResponse answer, ChatRequest chat, UpstreamRequest request, long start,
            TranslationNotes notes) throws UpstreamException {
        try {
            Duration left = SeamResponses.remaining(start, request.firstByteTimeout());
            if (!answer.isSuccess()) {
                byte[] error = SeamResponses.readWithin(answer, MAX_ERROR_BYTES, left);
                answer.close();
                return SeamResponses.error(AnthropicErrors.fromResponse(answer.status(), error, route).error(),
                        answer.header("retry-after"));
            }
            String id = "chatcmpl-" + request.requestId();
            long created = Instant.now().getEpochSecond();
            if (!chat.stream()) {
                byte[] whole = SeamResponses.readWithin(answer, MAX_BODY_BYTES, left);
                answer.close();
                return SeamResponses.json(Json.writeBytes(
                        AnthropicResponseTranslator.toCompletion(whole, id, created, chat.model(), notes)));
            }
            TranslatedSseBody sse = new TranslatedSseBody(sink -> pump(answer, sink, new ChatChunks(id, created,
                    chat.model(), chat.includeUsage()), chat.includeUsage(), notes), answer::close);
            StreamFailure early = sse.prime(left);
            if (early != null) {
                sse.close();
                return SeamResponses.error(early.error(), null);
            }
            return SeamResponses.stream(sse);
        } catch (TranslatedSseBody.TimedOut e) {
            answer.close();
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, "no event from Anthropic within "
                    + request.firstByteTimeout().toMillis() + " ms", e);
        } catch (StreamFailure e) {
            return SeamResponses.error(e.error(), null);
        } catch (IOException e) {
            answer.close();
            throw new UpstreamException(UpstreamException.Kind.CONNECT, "the Anthropic answer broke off: "
                    + e.getMessage(), e);
        }
    }

    private TranslatedSseBody.Pump pump(UpstreamResponse answer, ChunkSink sink, ChatChunks chunks,
            boolean includeUsage, TranslationNotes notes) {
        SseReader events = new SseReader(answer.body());
        AnthropicStreamTranslator translator = new AnthropicStreamTranslator(
                new OpenAiChunkStream(AnthropicStreamTranslator.PROVIDER, chunks, includeUsage, notes, sink), route, notes);
        return new TranslatedSseBody.Pump() {
            @Override
            public boolean pumpOne() throws IOException, StreamFailure {
                SseEvent event = events.next();
                if (event == null) {
                    return false;
                }
                translator.onEvent(event.data());
                return true;
            }

            @Override
            public void end() throws IOException, StreamFailure {
                translator.onEnd();
            }

            @Override
            public boolean complete() {
                return translator.isDone();
            }
        };
    }
}

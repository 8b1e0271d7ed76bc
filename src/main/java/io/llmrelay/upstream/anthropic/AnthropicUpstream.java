package io.llmrelay.upstream.anthropic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamAnswer;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.http.TraceHeaders;
import io.llmrelay.upstream.sse.SseReader;
import io.llmrelay.upstream.translation.ChatChunks;
import io.llmrelay.upstream.translation.ChatRequest;
import io.llmrelay.upstream.translation.ChunkSink;
import io.llmrelay.upstream.translation.EventPump;
import io.llmrelay.upstream.translation.OpenAiChunkStream;
import io.llmrelay.upstream.translation.ProviderAnswers;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslatedChunks;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An {@code anthropic} route: the caller's chat request translated to a Messages request
 * ({@link AnthropicRequestTranslator}), sent ({@link AnthropicClient}), and the answer translated
 * back as {@link ProviderAnswers} describes: the SSE stream event by event through
 * {@link AnthropicStreamTranslator}, a whole Message through {@link AnthropicResponseTranslator},
 * errors through {@link AnthropicErrors}. A request the translation refuses is a 400 refusal that
 * never reaches Anthropic.
 */
public final class AnthropicUpstream implements Upstream {
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
    public UpstreamAnswer open(UpstreamRequest request) throws UpstreamException {
        long start = System.nanoTime();
        ChatRequest chat;
        try {
            chat = AnthropicRequestTranslator.read(request.body());
        } catch (InvalidRequestException e) {
            return ProviderAnswers.refusal(e.error(), null);
        }
        if (chat.model() == null) {
            return ProviderAnswers.missingModel();
        }
        byte[] body = Json.writeBytes(AnthropicRequestTranslator.toBody(chat, defaultMaxTokens, notes));
        Map<String, String> headers = new LinkedHashMap<>(request.extraHeaders());
        String key = headers.remove(AnthropicClient.KEY_HEADER); // the route's apiKey, placed there by the relay
        // Anthropic ignores headers it does not know (its SDKs send several): these reach a gateway or proxy in between.
        headers = TraceHeaders.under(headers, TraceHeaders.of(request));
        UpstreamResponse answer = client.send(request.baseUrl(), key != null ? key : request.apiKey(), headers, body,
                chat.stream(), request.firstByteTimeout());
        return ProviderAnswers.answer(answer, chat, request, start, new Translation(chat));
    }

    /** Anthropic's side of {@link ProviderAnswers}. */
    private final class Translation implements ProviderAnswers.Provider {
        private final ChatRequest chat;

        Translation(ChatRequest chat) {
            this.chat = chat;
        }

        @Override
        public String name() {
            return AnthropicStreamTranslator.PROVIDER;
        }

        @Override
        public StreamFailure error(UpstreamResponse answer, byte[] body) {
            return AnthropicErrors.fromResponse(answer.status(), body, route);
        }

        @Override
        public ObjectNode completion(byte[] body, String id, long created, String model) throws StreamFailure {
            return AnthropicResponseTranslator.toCompletion(body, id, created, model, notes);
        }

        @Override
        public TranslatedChunks.Pump pump(UpstreamResponse answer, ChunkSink sink, ChatChunks chunks) {
            SseReader events = new SseReader(answer.body());
            OpenAiChunkStream out = new OpenAiChunkStream(AnthropicStreamTranslator.PROVIDER, chunks, chat.includeUsage(), notes, sink);
            AnthropicStreamTranslator translator = new AnthropicStreamTranslator(out, route, notes);
            return new EventPump<>(events::next, event -> translator.onEvent(event.data()), translator, out);
        }
    }
}

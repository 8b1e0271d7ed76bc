package io.llmrelay.upstream.bedrock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamAnswer;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.http.TraceHeaders;
import io.llmrelay.upstream.translation.ChatChunks;
import io.llmrelay.upstream.translation.ChatRequest;
import io.llmrelay.upstream.translation.ChunkSink;
import io.llmrelay.upstream.translation.EventPump;
import io.llmrelay.upstream.translation.OpenAiChunkStream;
import io.llmrelay.upstream.translation.ProviderAnswers;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslatedChunks;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.IOException;
import java.net.http.HttpClient;
import java.util.function.Supplier;

/**
 * A {@code bedrock} route: the caller's chat request translated to a Converse request
 * ({@link BedrockRequestTranslator}), SigV4-signed and sent ({@link BedrockClient}), and the answer
 * translated back as {@link ProviderAnswers} describes: the event stream frame by frame
 * ({@link EventStreamReader}) through {@link BedrockStreamTranslator}, a whole answer through
 * {@link BedrockResponseTranslator}, errors through {@link BedrockErrors}. The model id is the
 * body's {@code model} (the route's upstreamModel, else the caller's). No AWS credentials is a 503
 * refusal that never reaches Bedrock.
 */
public final class BedrockUpstream implements Upstream {
    private final HttpClient http;
    private final Supplier<RequestSigner> signer;
    private final String route;
    private final String region;
    private final TranslationNotes notes;

    /**
     * @param signer built on first use: the SDK's signer and credential chain cost class loading
     * @param notes  where this request's translation notes go
     */
    public BedrockUpstream(HttpClient http, Supplier<RequestSigner> signer, String route, String region,
            TranslationNotes notes) {
        this.http = http;
        this.signer = signer;
        this.route = route;
        this.region = region;
        this.notes = notes;
    }

    @Override
    public UpstreamAnswer open(UpstreamRequest request) throws UpstreamException {
        long start = System.nanoTime();
        ChatRequest chat;
        byte[] body;
        try {
            chat = BedrockRequestTranslator.read(request.body());
            body = Json.writeBytes(BedrockRequestTranslator.toBody(chat, notes));
        } catch (InvalidRequestException e) {
            return ProviderAnswers.refusal(e.error(), null);
        }
        if (chat.model() == null) {
            return ProviderAnswers.missingModel();
        }
        UpstreamResponse answer;
        try {
            answer = new BedrockClient(http, signer.get()).send(request.baseUrl(), region, chat.model(),
                    TraceHeaders.under(request.extraHeaders(), TraceHeaders.forAws(request)), body, chat.stream(),
                    request.firstByteTimeout());
        } catch (RequestSigner.SigningException e) {
            return ProviderAnswers.refusal(new OpenAiError(503, "No AWS credentials to sign the Bedrock request of route '"
                    + route + "': " + e.getMessage(), OpenAiError.API_ERROR, null, "upstream_credentials_unavailable"), null);
        }
        return ProviderAnswers.answer(answer, chat, request, start, new Translation(chat));
    }

    /** Bedrock's side of {@link ProviderAnswers}. */
    private final class Translation implements ProviderAnswers.Provider {
        private final ChatRequest chat;

        Translation(ChatRequest chat) {
            this.chat = chat;
        }

        @Override
        public String name() {
            return BedrockStreamTranslator.PROVIDER;
        }

        @Override
        public StreamFailure error(UpstreamResponse answer, byte[] body) {
            return BedrockErrors.fromResponse(answer.status(), answer.header("x-amzn-errortype"), body, route);
        }

        @Override
        public ObjectNode completion(byte[] body, String id, long created, String model) throws StreamFailure {
            return BedrockResponseTranslator.toCompletion(body, id, created, model, notes);
        }

        @Override
        public TranslatedChunks.Pump pump(UpstreamResponse answer, ChunkSink sink, ChatChunks chunks) {
            EventStreamReader frames = new EventStreamReader(answer.body());
            OpenAiChunkStream out = new OpenAiChunkStream(BedrockStreamTranslator.PROVIDER, chunks, chat.includeUsage(), notes, sink);
            BedrockStreamTranslator translator = new BedrockStreamTranslator(out, route, notes);
            return new EventPump<>(() -> next(frames), translator::onMessage, translator, out);
        }

        /** The next frame; one that breaks the event stream encoding is invalid output. */
        private static EventStreamMessage next(EventStreamReader frames) throws IOException, StreamFailure {
            try {
                return frames.next();
            } catch (InvalidFrameException e) {
                throw StreamFailure.invalid(BedrockStreamTranslator.PROVIDER, e.getMessage());
            }
        }
    }
}

package io.llmrelay.upstream.bedrock;

import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
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
import java.util.function.Supplier;

/**
 * TEMPORARY SEAM: a Bedrock route behind today's {@link Upstream} interface, whose answers the relay
 * reads as OpenAI SSE or JSON. The restructure (issue 10) replaces this file with an adapter of its
 * "stream of OpenAI chunks" interface; everything it calls (translators, event-stream reader, error
 * table, client) stays. The model id is the body's {@code model} (the route's upstreamModel, else the
 * caller's). Failures before any chunk become responses with the mapped status.
 */
public final class BedrockUpstream implements Upstream {
    private static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final int MAX_ERROR_BYTES = 64 * 1024;

    private final HttpClient http;
    private final Supplier<RequestSigner> signer;
    private final String route;
    private final String region;
    private final TranslationNotes notes;

    /** @param signer built on first use: the SDK's signer and credential chain cost class loading */
    public BedrockUpstream(HttpClient http, Supplier<RequestSigner> signer, String route, String region,
            TranslationNotes notes) {
        this.http = http;
        this.signer = signer;
        this.route = route;
        this.region = region;
        this.notes = notes;
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
        long start = System.nanoTime();
        ChatRequest chat;
        byte[] body;
        try {
            chat = BedrockRequestTranslator.read(request.body());
            body = Json.writeBytes(BedrockRequestTranslator.toBody(chat, notes));
        } catch (InvalidRequestException e) {
            return SeamResponses.error(e.error(), null);
        }
        if (chat.model() == null) {
            return SeamResponses.error(OpenAiError.invalidRequest("model", "Missing required parameter: 'model'."), null);
        }
        UpstreamResponse answer;
        try {
            answer = new BedrockClient(http, signer.get()).send(request.baseUrl(), region, chat.model(),
                    request.extraHeaders(), body, chat.stream(), request.firstByteTimeout());
        } catch (RequestSigner.SigningException e) {
            return SeamResponses.error(new OpenAiError(503, "No AWS credentials to sign the Bedrock request of route '"
                    + route + "': " + e.getMessage(), OpenAiError.API_ERROR, null, "upstream_credentials_unavailable"), null);
        }
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
                return SeamResponses.error(BedrockErrors.fromResponse(answer.status(), answer.header("x-amzn-errortype"),
                        error, route).error(), answer.header("retry-after"));
            }
            String id = "chatcmpl-" + request.requestId();
            long created = Instant.now().getEpochSecond();
            if (!chat.stream()) {
                byte[] whole = SeamResponses.readWithin(answer, MAX_BODY_BYTES, left);
                answer.close();
                return SeamResponses.json(Json.writeBytes(
                        BedrockResponseTranslator.toCompletion(whole, id, created, chat.model(), notes)));
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
            throw new UpstreamException(UpstreamException.Kind.TIMEOUT, "no event from Bedrock within "
                    + request.firstByteTimeout().toMillis() + " ms", e);
        } catch (StreamFailure e) {
            return SeamResponses.error(e.error(), null);
        } catch (IOException e) {
            answer.close();
            throw new UpstreamException(UpstreamException.Kind.CONNECT, "the Bedrock answer broke off: " + e.getMessage(), e);
        }
    }

    private TranslatedSseBody.Pump pump(UpstreamResponse answer, ChunkSink sink, ChatChunks chunks, boolean includeUsage,
            TranslationNotes notes) {
        EventStreamReader frames = new EventStreamReader(answer.body());
        BedrockStreamTranslator translator = new BedrockStreamTranslator(
                new OpenAiChunkStream(BedrockStreamTranslator.PROVIDER, chunks, includeUsage, notes, sink), route, notes);
        return new TranslatedSseBody.Pump() {
            @Override
            public boolean pumpOne() throws IOException, StreamFailure {
                EventStreamMessage message;
                try {
                    message = frames.next();
                } catch (InvalidFrameException e) {
                    throw StreamFailure.invalid(BedrockStreamTranslator.PROVIDER, e.getMessage());
                }
                if (message == null) {
                    return false;
                }
                translator.onMessage(message);
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

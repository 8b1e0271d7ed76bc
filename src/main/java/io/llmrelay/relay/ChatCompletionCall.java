package io.llmrelay.relay;

import com.amazonaws.services.lambda.runtime.Context;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.config.RouteType;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.keys.KeyUnavailableException;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.ChunkEncoder;
import io.llmrelay.openai.EncodedEvent;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.openai.SseEvent;
import io.llmrelay.openai.SseReader;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code POST /chat/completions}: validate, route, resolve the upstream key, call the
 * upstream and relay its answer.
 *
 * <p>The error contract: until the first byte goes to the caller, every failure gets its own
 * HTTP status and an OpenAI error body. After it, a failure becomes one
 * {@code data: {"error":{...}}} event followed by {@code data: [DONE]}, and the invocation ends
 * normally: the official OpenAI SDKs raise an APIError on such an event.
 */
final class ChatCompletionCall {
    /** Non-streaming answers and upstream error bodies are read whole; bounded all the same. */
    private static final int MAX_WHOLE_BODY_BYTES = 32 * 1024 * 1024;
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private final RelaySetup setup;
    private final RelayHandler.Snapshot snapshot;
    private final FunctionUrlRequest request;
    private final FunctionUrlResponse response;
    private final Context context;
    private final RequestLog log;
    /** The resolved upstream key, kept only to scrub it from upstream error bodies. */
    private String upstreamKey;

    ChatCompletionCall(RelaySetup setup, RelayHandler.Snapshot snapshot, FunctionUrlRequest request,
            FunctionUrlResponse response, Context context, RequestLog log) {
        this.setup = setup;
        this.snapshot = snapshot;
        this.request = request;
        this.response = response;
        this.context = context;
        this.log = log;
    }

    /** A write to the caller failed: the caller has gone, and nobody is left to tell. */
    private static final class CallerGoneException extends IOException {
        CallerGoneException(IOException cause) {
            super("the caller went away: " + cause.getMessage(), cause);
        }
    }

    void run() throws IOException {
        long maxBytes = snapshot.config().maxRequestBytes();
        if (request.body().length > maxBytes) {
            ErrorReply.send(response, log, OpenAiError.requestTooLarge(maxBytes));
            return;
        }
        ChatCompletionRequest chat;
        try {
            chat = ChatCompletionRequest.parse(request.body());
        } catch (InvalidRequestException e) {
            ErrorReply.send(response, log, e.error());
            return;
        }
        Optional<RouteConfig> found = snapshot.router().route(chat.model());
        if (found.isEmpty()) {
            ErrorReply.send(response, log, OpenAiError.modelNotFound(chat.model()));
            return;
        }
        RouteConfig route = found.get();
        log.route(route.name(), chat.model(), chat.stream());
        String upstreamModel = snapshot.router().upstreamModel(route, chat.model());

        UpstreamRequest call;
        try {
            call = upstreamRequest(route, chat.toUpstreamBody(upstreamModel, route.dropFields()), chat.stream());
        } catch (KeyUnavailableException e) {
            // The answer names the route, never a key or ciphertext.
            ErrorReply.send(response, log, OpenAiError.keyUnavailable(route.name()));
            return;
        }
        Upstream upstream = route.type() == RouteType.DEMO ? setup.demoUpstream() : setup.httpUpstream();
        UpstreamResponse answer;
        try {
            answer = upstream.send(call);
        } catch (UpstreamException e) {
            ErrorReply.send(response, log, e.kind() == UpstreamException.Kind.TIMEOUT
                    ? OpenAiError.upstreamTimeout("The upstream of route '" + route.name() + "' did not answer within "
                            + route.firstByteTimeoutMs() + " ms.")
                    : OpenAiError.upstreamUnavailable("The upstream of route '" + route.name()
                            + "' could not be reached: " + e.getMessage()));
            return;
        }
        try (answer) {
            log.upstreamStatus(answer.status());
            if (!answer.isSuccess()) {
                relayUpstreamError(route, answer);
            } else if (chat.stream()) {
                relayStream(answer, route, upstreamModel != null ? upstreamModel : chat.model());
            } else {
                relayWhole(answer);
            }
        } catch (CallerGoneException e) {
            // Closing the upstream (try-with-resources above) is what stops token generation.
            log.error("caller_disconnected");
        }
    }

    private UpstreamRequest upstreamRequest(RouteConfig route, byte[] body, boolean stream)
            throws KeyUnavailableException {
        String key = null;
        Map<String, String> headers = new LinkedHashMap<>(route.headers());
        URI baseUrl = URI.create(route.type() == RouteType.DEMO ? "demo://relay-demo" : route.baseUrl());
        if (route.apiKey() != null) {
            String resolved = setup.keys().resolve(route.name(), route.apiKey());
            upstreamKey = resolved;
            if (route.bearerAuth()) {
                key = resolved;
            } else {
                headers.put(route.apiKeyHeader(), resolved);
            }
        }
        return new UpstreamRequest(baseUrl, key, headers, body, stream,
                Duration.ofMillis(route.firstByteTimeoutMs()), context.getAwsRequestId());
    }

    /**
     * Relays the upstream's events one by one, each flushed before the next is read. The head
     * goes out with the first event, so a stream that fails before any event still gets a real
     * status.
     */
    private void relayStream(UpstreamResponse answer, RouteConfig route, String model) throws IOException {
        ChunkEncoder encoder = ChunkEncoder.forRequest(context.getAwsRequestId(),
                System.currentTimeMillis() / 1000, model == null ? "unknown" : model);
        SseReader events = new SseReader(answer.body());
        IdleWatchdog watchdog = new IdleWatchdog(route.idleTimeoutMs(), answer::close);
        boolean started = false;
        while (true) {
            SseEvent event;
            try {
                watchdog.arm();
                event = events.next();
            } catch (IOException e) {
                OpenAiError broken = watchdog.fired()
                        ? OpenAiError.upstreamTimeout("The upstream of route '" + route.name() + "' sent nothing for "
                                + route.idleTimeoutMs() + " ms.")
                        : OpenAiError.upstreamUnavailable("The upstream stream broke off: " + e.getMessage());
                if (!started) {
                    ErrorReply.send(response, log, broken);
                    return;
                }
                log.error(broken.code());
                send(ChunkEncoder.errorEvent(broken));
                send(ChunkEncoder.done());
                return;
            } finally {
                watchdog.disarm();
            }
            if (event == null) {
                if (!started) {
                    ErrorReply.send(response, log, OpenAiError.upstreamUnavailable(
                            "The upstream ended its stream without sending any event."));
                    return;
                }
                send(ChunkEncoder.done()); // the upstream forgot [DONE]; callers wait for it
                return;
            }
            EncodedEvent encoded = encoder.encode(event.data());
            if (encoded instanceof EncodedEvent.UpstreamError failure) {
                // The upstream's own words, which may quote its key (whole or masked): scrubbed like error bodies.
                OpenAiError error = scrubbed(failure.error());
                if (!started) {
                    ErrorReply.send(response, log, error);
                    return;
                }
                log.error(error.code() != null ? error.code() : error.type());
                send(ChunkEncoder.errorEvent(error));
                send(ChunkEncoder.done());
                return;
            }
            if (!started) {
                started = true;
                log.status(200);
                response.status(200)
                        .header("content-type", EVENT_STREAM)
                        .header("cache-control", "no-cache");
            }
            send(encoded.bytes());
            if (encoded.endsStream()) {
                return;
            }
        }
    }

    /** A non-streaming answer: the upstream's {@code chat.completion} as it came. */
    private void relayWhole(UpstreamResponse answer) throws IOException {
        byte[] body;
        try {
            body = answer.readBody(MAX_WHOLE_BODY_BYTES);
        } catch (IOException e) {
            ErrorReply.send(response, log, OpenAiError.upstreamUnavailable(
                    "The upstream answer broke off: " + e.getMessage()));
            return;
        }
        String type = answer.header("content-type");
        log.status(200);
        response.status(200).header("content-type", type != null ? type : "application/json");
        send(body);
    }

    /**
     * An upstream 4xx with an OpenAI-shaped body goes to the caller as it is (status, body, and
     * {@code retry-after} on 429); anything else, 5xx above all, is the upstream failing: 502.
     */
    private void relayUpstreamError(RouteConfig route, UpstreamResponse answer) throws IOException {
        byte[] body = answer.readBody(MAX_ERROR_BODY_BYTES);
        int status = answer.status();
        OpenAiError shaped = OpenAiError.fromUpstreamBody(status, body);
        if (status >= 400 && status < 500 && shaped != null) {
            byte[] clean = UpstreamKeyScrubber.scrub(body, upstreamKey);
            String retryAfter = answer.header("retry-after");
            if (status == 429 && retryAfter != null) {
                response.header("retry-after", retryAfter);
            }
            log.status(status);
            log.error(shaped.code() != null ? shaped.code() : shaped.type());
            response.status(status).header("content-type", "application/json");
            send(clean);
            return;
        }
        String detail = shaped != null ? ": " + UpstreamKeyScrubber.scrub(shaped.message(), upstreamKey) : "";
        if (status >= 400 && status < 500) {
            ErrorReply.send(response, log, new OpenAiError(status, "The upstream of route '" + route.name()
                    + "' answered " + status + detail, OpenAiError.INVALID_REQUEST, null, "upstream_error"));
        } else {
            ErrorReply.send(response, log, OpenAiError.upstreamUnavailable("The upstream of route '" + route.name()
                    + "' answered " + status + detail));
        }
    }

    /** The error without the upstream key or a masked form of it in its free-text fields. */
    private OpenAiError scrubbed(OpenAiError error) {
        return new OpenAiError(error.status(), UpstreamKeyScrubber.scrub(error.message(), upstreamKey), error.type(),
                UpstreamKeyScrubber.scrub(error.param(), upstreamKey), error.code());
    }

    private void send(byte[] bytes) throws CallerGoneException {
        OutputStream out = response.body();
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
        log.sent(bytes.length);
    }
}

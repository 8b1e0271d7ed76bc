package io.llmrelay.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback {@code POST .../responses} endpoint that does what the relay will do at the seam:
 * translate the request ({@link ResponsesRequest}; a refusal is a 400 OpenAI error), take the
 * chat answer (here a scripted one instead of a route's upstream) and translate it back
 * ({@link ResponsesStream} payload by payload, each write flushed at once; or
 * {@link ResponsesAnswer}). An upstream error before anything was written is an HTTP error, after
 * it the stream's failure events. Every translated chat request is kept for the test to inspect.
 */
final class ResponsesTestServer implements AutoCloseable {
    /** A scripted chat answer: stream payloads (with gates that hold the rest back), or a whole completion. */
    static final class ChatScript {
        private final List<Object> steps = new ArrayList<>();
        private final String completion;

        private ChatScript(String completion) {
            this.completion = completion;
        }

        static ChatScript stream() {
            return new ChatScript(null);
        }

        static ChatScript whole(String completion) {
            return new ChatScript(completion);
        }

        /** One SSE data payload: a chunk, an error, or {@code [DONE]}. */
        ChatScript data(String payload) {
            steps.add(payload);
            return this;
        }

        /** Nothing more is sent until the test opens {@code gate}. */
        ChatScript gate(CountDownLatch gate) {
            steps.add(gate);
            return this;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<ChatScript> scripts = new LinkedBlockingQueue<>();
    private final BlockingQueue<ObjectNode> chatRequests = new LinkedBlockingQueue<>();
    private final AtomicInteger requestCount = new AtomicInteger();

    private ResponsesTestServer(HttpServer server) {
        this.server = server;
    }

    static ResponsesTestServer start() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ResponsesTestServer server = new ResponsesTestServer(http);
        http.createContext("/", server::handle);
        http.setExecutor(server.executor);
        http.start();
        return server;
    }

    /** The base URL a client is given, ending in {@code /v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    ResponsesTestServer enqueue(ChatScript script) {
        scripts.add(script);
        return this;
    }

    /** The next chat request a Responses request was translated into. */
    ObjectNode nextChatRequest() throws InterruptedException {
        ObjectNode request = chatRequests.poll(30, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request reached the server");
        }
        return request;
    }

    int requestCount() {
        return requestCount.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requestCount.incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (!exchange.getRequestMethod().equals("POST") || !exchange.getRequestURI().getPath().endsWith("/responses")) {
                sendError(exchange, OpenAiError.notFound(exchange.getRequestURI().getPath()));
                return;
            }
            ResponsesRequest request;
            try {
                request = ResponsesRequest.parse(body);
            } catch (InvalidRequestException e) {
                sendError(exchange, e.error());
                return;
            }
            chatRequests.add(request.chatRequest());
            ChatScript script = scripts.poll();
            if (script == null) {
                sendError(exchange, OpenAiError.internal("the test scripted no answer for this request"));
                return;
            }
            if ((script.completion == null) != request.stream()) {
                sendError(exchange, OpenAiError.internal("the test scripted a " + (script.completion == null
                        ? "stream" : "whole answer") + " for a request with stream: " + request.stream()));
                return;
            }
            ResponseContext context = ResponseContext.of(request, "req" + requestCount.get(), System.currentTimeMillis() / 1000);
            if (script.completion != null) {
                sendWhole(exchange, script.completion, context);
            } else {
                sendStream(exchange, script, context);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sendWhole(HttpExchange exchange, String completion, ResponseContext context) throws IOException {
        try {
            byte[] response = ResponsesAnswer.translate(completion.getBytes(StandardCharsets.UTF_8), context,
                    System.currentTimeMillis() / 1000);
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(200, response.length);
            exchange.getResponseBody().write(response);
        } catch (UnreadableAnswerException e) {
            sendError(exchange, e.error());
        }
    }

    /** As the relay's loop: the head goes out with the first write, so an early error keeps its status. */
    private static void sendStream(HttpExchange exchange, ChatScript script, ResponseContext context)
            throws IOException, InterruptedException {
        OutputStream[] body = new OutputStream[1];
        ResponsesStream stream = new ResponsesStream(context, events -> {
            if (body[0] == null) {
                exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
                exchange.sendResponseHeaders(200, 0);
                body[0] = exchange.getResponseBody();
            }
            body[0].write(events);
            body[0].flush();
        });
        for (Object step : script.steps) {
            if (step instanceof CountDownLatch gate) {
                if (!gate.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
                continue;
            }
            StreamStep result = stream.accept((String) step);
            if (result instanceof StreamStep.UpstreamFailed failed) {
                if (!stream.started()) {
                    sendError(exchange, failed.error());
                } else {
                    stream.fail(failed.error());
                }
                return;
            }
            if (result instanceof StreamStep.Finished) {
                return;
            }
        }
        if (!stream.ended()) {
            stream.finish(); // the body ended without [DONE]
        }
    }

    private static void sendError(HttpExchange exchange, OpenAiError error) throws IOException {
        byte[] json = error.toJson();
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(error.status(), json.length);
        exchange.getResponseBody().write(json);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

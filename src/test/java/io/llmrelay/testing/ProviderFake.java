package io.llmrelay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A provider API (Anthropic Messages, Bedrock Converse) on 127.0.0.1 that plays scripted answers and
 * records every request as it arrived: raw path (percent-encoding kept), headers, body as JSON. The
 * answers' contents come from {@link AnthropicSse} and {@link BedrockFrames}, written from the
 * providers' public references; this class only moves bytes, with gates a test opens to prove that
 * a chunk was relayed before the next event existed.
 */
public final class ProviderFake implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final BlockingQueue<Received> requests = new LinkedBlockingQueue<>();

    /** A request as the fake saw it; header names lower-case. */
    public record Received(String method, String rawPath, Map<String, String> headers, byte[] bytes) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public JsonNode body() {
            return RelayClient.json(new String(bytes, StandardCharsets.UTF_8));
        }
    }

    static {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // as FakeUpstream: no Nagle delays on small chunks
    }

    private ProviderFake() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static ProviderFake start() throws IOException {
        return new ProviderFake();
    }

    /** {@code http://127.0.0.1:PORT} plus {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public ProviderFake enqueue(Answer answer) {
        answers.add(answer);
        return this;
    }

    public Received nextRequest() throws InterruptedException {
        Received received = requests.poll(10, TimeUnit.SECONDS);
        if (received == null) {
            throw new AssertionError("the provider fake received no request within 10 s");
        }
        return received;
    }

    public int requestCount() {
        return requests.size();
    }

    public void reset() {
        answers.clear();
        requests.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), headers, body));
            Answer answer = answers.poll();
            if (answer == null) {
                answer = Answer.status(500, "application/json", "{\"message\":\"the test queued no answer\"}");
            }
            answer.play(exchange);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One scripted answer: status, headers, body steps (bytes, gates), optionally cut off. */
    public static final class Answer {
        private final int status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<Object> steps = new ArrayList<>();
        private boolean cutOff;

        private Answer(int status, String contentType) {
            this.status = status;
            headers.put("content-type", contentType);
        }

        public static Answer stream(String contentType) {
            return new Answer(200, contentType);
        }

        public static Answer status(int status, String contentType, String body) {
            return new Answer(status, contentType).bytes(body.getBytes(StandardCharsets.UTF_8));
        }

        public Answer header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Answer bytes(byte[] bytes) {
            steps.add(bytes.clone());
            return this;
        }

        public Answer text(String text) {
            return bytes(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Holds the rest back until the test opens the gate. */
        public Answer gate(CountDownLatch gate) {
            steps.add(gate);
            return this;
        }

        /** Ends the connection mid-body: fewer bytes than announced. */
        public Answer cutOff() {
            cutOff = true;
            return this;
        }

        void play(HttpExchange exchange) throws IOException, InterruptedException {
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            exchange.sendResponseHeaders(status, cutOff ? 1 << 30 : 0);
            OutputStream out = exchange.getResponseBody();
            out.flush();
            for (Object step : steps) {
                if (step instanceof byte[] bytes) {
                    out.write(bytes);
                    out.flush();
                } else if (step instanceof CountDownLatch gate && !gate.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
            }
            if (!cutOff) {
                out.close();
            }
        }
    }

    /** For tests that compare what the fake received with an expected JSON document. */
    public static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}

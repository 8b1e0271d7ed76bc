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
import java.time.Duration;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * An upstream on 127.0.0.1 that plays scripts: each request takes the next queued {@link Script}
 * (or the default one) and every request is recorded for assertions. Scripts can hold the stream
 * back on a gate that the test opens, which is how tests prove a chunk went out before the next
 * existed. {@link #start()} stands for an OpenAI-compatible upstream; {@link #startProvider()} for a
 * provider API (Anthropic Messages, Bedrock Converse), whose answers' contents come from
 * {@link AnthropicSse} and {@link BedrockFrames}, written from the providers' public references.
 */
public final class FakeUpstream implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private volatile Script fallback = Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Hello")).chunk(Chunks.finish("stop")).done();
    private volatile Function<Recorded, Script> responder;
    private final AtomicInteger arrivals = new AtomicInteger();
    /** Per request (by {@link Recorded#index()}): opened when a write to its connection failed. */
    private final Map<Integer, CountDownLatch> writeFailures = new ConcurrentHashMap<>();

    /**
     * A request as the upstream saw it. Header names are lower-case.
     *
     * @param index          this request's place among all requests since start, from 0 (not reset by {@link #reset()})
     * @param receivedNanos  {@link System#nanoTime()} when its body had been read
     * @param rawBody        the body's bytes as they came ({@code body} is Jackson's default reading of them,
     *                       which turns {@code 1e309} into infinity: compare exact values on these)
     * @param rawPath        the path as it came, percent-encoding kept ({@code path} is decoded)
     */
    public record Recorded(String method, String path, Map<String, String> headers, JsonNode body, int index,
            long receivedNanos, byte[] rawBody, String rawPath) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    static {
        // The JDK server leaves Nagle's algorithm on by default, and with the client's delayed ACKs
        // every small flushed chunk then waits ~40 ms: real upstreams do not, and tests run slower.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private FakeUpstream() throws IOException {
        // A generous backlog: load tests open dozens of connections at once.
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    public static FakeUpstream start() throws IOException {
        return new FakeUpstream();
    }

    /**
     * An upstream that stands for a provider API: a request no script was queued for gets a 500
     * saying so, rather than an OpenAI answer the provider would never send.
     */
    public static FakeUpstream startProvider() throws IOException {
        return start().byDefault(Script.json(500, "{\"message\":\"the test queued no answer\"}"));
    }

    /** The base URL a route points at: {@code http://127.0.0.1:PORT/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** {@code http://127.0.0.1:PORT} plus {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The script for the next request (in order of enqueueing). */
    public FakeUpstream enqueue(Script script) {
        scripts.add(script);
        return this;
    }

    /** The script for requests when none is queued. */
    public FakeUpstream byDefault(Script script) {
        fallback = script;
        responder = null;
        return this;
    }

    /** Builds the answer to each request from the request itself, when no script is queued (load tests). */
    public FakeUpstream respondWith(Function<Recorded, Script> answer) {
        responder = answer;
        return this;
    }

    /**
     * Waits until a write to the connection of request {@code index} has failed, which is how a
     * server learns its client went away.
     *
     * @return false when that did not happen within the time given
     */
    public boolean awaitWriteFailure(int index, Duration within) throws InterruptedException {
        return writeFailure(index).await(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CountDownLatch writeFailure(int index) {
        return writeFailures.computeIfAbsent(index, i -> new CountDownLatch(1));
    }

    /** The next recorded request, waiting up to 10 s. */
    public Recorded nextRequest() throws InterruptedException {
        Recorded r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the upstream received no request within 10 s");
        }
        return r;
    }

    public int requestCount() {
        return requests.size();
    }

    /**
     * Forgets queued scripts and recorded requests, so one test's leftovers (a script a failed
     * test never used) cannot answer the next test's request. The default script stays.
     */
    public FakeUpstream reset() {
        scripts.clear();
        requests.clear();
        return this;
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
            JsonNode json = body.length == 0 ? null : Json.MAPPER.readTree(body);
            Recorded recorded = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers,
                    json, arrivals.getAndIncrement(), System.nanoTime(), body, exchange.getRequestURI().getRawPath());
            requests.add(recorded);
            Script script = scripts.poll();
            Function<Recorded, Script> answer = responder;
            if (script == null) {
                script = answer != null ? answer.apply(recorded) : fallback;
            }
            try {
                script.play(exchange);
            } catch (GateNeverOpened e) {
                throw e;
            } catch (IOException e) {
                writeFailure(recorded.index()).countDown();
                throw e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One scripted answer: status, headers, then body steps. */
    public static final class Script {
        private final int status;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final List<Object> steps = new ArrayList<>();
        private boolean cutOff;
        private String lineEnd = "\n";
        private CountDownLatch headGate;

        private Script(int status, String contentType) {
            this.status = status;
            headers.put("content-type", contentType);
        }

        /** A {@code text/event-stream} answer. */
        public static Script sse(int status) {
            return new Script(status, "text/event-stream");
        }

        /** A 200 stream of {@code contentType}: a provider's ({@link AnthropicSse}, {@link BedrockFrames}). */
        public static Script stream(String contentType) {
            return new Script(200, contentType);
        }

        /** A whole JSON answer (errors, non-streaming completions). */
        public static Script json(int status, String body) {
            return new Script(status, "application/json").raw(body);
        }

        public Script header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        /** Uses CRLF instead of LF for the lines of later {@link #chunk} events. */
        public Script crlf() {
            lineEnd = "\r\n";
            return this;
        }

        /** {@code data: <json>} and a blank line. */
        public Script chunk(String json) {
            return raw("data: " + json + lineEnd + lineEnd);
        }

        /** Bytes exactly as given: comments, multi-line data, broken framing. */
        public Script raw(String text) {
            steps.add(text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        public Script rawBytes(byte[] bytes) {
            steps.add(bytes.clone());
            return this;
        }

        /** Holds the rest of the answer back until the test opens the gate. */
        public Script gate(CountDownLatch gate) {
            steps.add(gate);
            return this;
        }

        /**
         * Holds even the status line and headers back until the test opens the gate: the client
         * waits for a response head that does not come (first-byte timeouts).
         */
        public Script holdHead(CountDownLatch gate) {
            headGate = gate;
            return this;
        }

        /** Counts {@code reached} down once every earlier step has been written and flushed. */
        public Script signal(CountDownLatch reached) {
            steps.add((Runnable) reached::countDown);
            return this;
        }

        /**
         * Keeps streaming {@code chunk.apply(0)}, {@code chunk.apply(1)}, ... one every {@code pace},
         * up to {@code max} chunks, as a model generating tokens would, until a write fails because
         * the client went away. The pace only spaces the writes out so that a closed connection is
         * noticed within a few of them; no test asserts on it.
         */
        public Script chunksUntilClosed(IntFunction<String> chunk, Duration pace, int max) {
            steps.add(new Trickle(chunk, pace, max));
            return this;
        }

        private record Trickle(IntFunction<String> chunk, Duration pace, int max) {}

        /** {@code data: [DONE]} and a blank line. */
        public Script done() {
            return raw("data: [DONE]" + lineEnd + lineEnd);
        }

        /** Ends the connection mid-body: the client sees a body shorter than announced. */
        public Script cutOff() {
            cutOff = true;
            return this;
        }

        void play(HttpExchange exchange) throws IOException, InterruptedException {
            if (headGate != null) {
                awaitGate(headGate);
            }
            headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
            // Announcing more bytes than come makes the end of the exchange a cut, not an end.
            exchange.sendResponseHeaders(status, cutOff ? 1 << 30 : 0);
            OutputStream out = exchange.getResponseBody();
            out.flush(); // the JDK server sends the head only on the first flush
            for (Object step : steps) {
                if (step instanceof byte[] bytes) {
                    out.write(bytes);
                    out.flush();
                } else if (step instanceof CountDownLatch gate) {
                    awaitGate(gate);
                } else if (step instanceof Runnable signal) {
                    signal.run();
                } else if (step instanceof Trickle trickle) {
                    for (int i = 0; i < trickle.max(); i++) {
                        out.write(("data: " + trickle.chunk().apply(i) + lineEnd + lineEnd).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                        Thread.sleep(trickle.pace().toMillis());
                    }
                }
            }
            if (!cutOff) {
                out.close();
            }
        }

        private static void awaitGate(CountDownLatch gate) throws IOException, InterruptedException {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new GateNeverOpened();
            }
        }
    }

    /** Not a write failure: the script itself gave up waiting. */
    private static final class GateNeverOpened extends IOException {
        GateNeverOpened() {
            super("the test never opened the gate");
        }
    }

    /** Chunk JSON as OpenAI sends it. */
    public static final class Chunks {
        private Chunks() {}

        private static String chunk(String choices, String extra) {
            return "{\"id\":\"chatcmpl-up1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\",\"choices\":" + choices + extra + "}";
        }

        public static String role() {
            return chunk("[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]", "");
        }

        public static String content(String text) {
            return chunk("[{\"index\":0,\"delta\":{\"content\":" + Json.write(text) + "},\"logprobs\":null,\"finish_reason\":null}]", "");
        }

        public static String finish(String reason) {
            return chunk("[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" + reason + "\"}]", "");
        }

        public static String usage(int prompt, int completion) {
            return chunk("[]", ",\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                    + ",\"total_tokens\":" + (prompt + completion) + "}");
        }

        /** The first delta of a tool call: index, id, type, name. */
        public static String toolCallStart(int index, String id, String name) {
            return chunk("[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + index + ",\"id\":\"" + id
                    + "\",\"type\":\"function\",\"function\":{\"name\":\"" + name + "\",\"arguments\":\"\"}}]},"
                    + "\"logprobs\":null,\"finish_reason\":null}]", "");
        }

        /** A later delta of a tool call: more argument text. */
        public static String toolCallArguments(int index, String argumentsPart) {
            return chunk("[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":" + index
                    + ",\"function\":{\"arguments\":" + Json.write(argumentsPart) + "}}]},"
                    + "\"logprobs\":null,\"finish_reason\":null}]", "");
        }

        /** A {@code chat.completion} for non-streaming requests. */
        public static String completion(String text) {
            return "{\"id\":\"chatcmpl-up2\",\"object\":\"chat.completion\",\"created\":1700000000,"
                    + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                    + "\"content\":" + Json.write(text) + ",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
                    + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}";
        }

        /** An OpenAI error body. */
        public static String error(String message, String type, String code) {
            return "{\"error\":{\"message\":" + Json.write(message) + ",\"type\":\"" + type + "\",\"param\":null,\"code\":"
                    + (code == null ? "null" : "\"" + code + "\"") + "}}";
        }
    }
}

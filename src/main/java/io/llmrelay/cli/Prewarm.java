package io.llmrelay.cli;

import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.HttpIntegrationPrelude;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.ChatSse;
import io.llmrelay.trace.Traces;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.http.JdkHttp;
import io.llmrelay.upstream.http.UpstreamHttp;
import io.llmrelay.upstream.openai.ChunkDecoder;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Cold-start work done off the critical path: what the first invocation will need anyway, done
 * on another thread while the main thread initialises the handler and reads the first event.
 *
 * <p>The two big blocks of a cold start are Jackson's set-up and the JDK HTTP client's (its
 * constructor initialises the default {@link SSLContext}: the JSSE provider and the trust store),
 * one after the other on the main thread (bench/ coldstart; figures in README "Performance"). Started first thing in {@code main}, this
 * thread does the TLS set-up and then exercises, on loopback only, the code paths of the first
 * request: a JDK HTTP/1.1 exchange with a chunked event stream (a throwaway client against a
 * throwaway {@link ServerSocket} on 127.0.0.1, both closed after), the same through the relay's
 * own HTTP/1.1 client ({@link UpstreamHttp}, which plain-http upstreams use), and the relay's own parsing
 * and encoding on sample data (the usage ask and the held-back usage chunk, the trace and its
 * {@code SecureRandom} included). Class loading, linking and the first compilations are then
 * shared with the real invocation. Nothing here reads configuration, resolves a key or talks to
 * anything but loopback, and any failure is ignored: it only ever makes things faster.
 *
 * <p>Where init is not on a caller's path ({@code AWS_LAMBDA_INITIALIZATION_TYPE} is
 * {@code snap-start} or {@code provisioned-concurrency}) it runs to completion before the
 * runtime's first {@code next}, so that a SnapStart snapshot holds warmed code and no open
 * socket.
 */
final class Prewarm {
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final String SAMPLE_CHUNK = "{\"id\":\"chatcmpl-prewarm\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"prewarm\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" hi\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}";
    private static final String SAMPLE_USAGE = "{\"id\":\"chatcmpl-prewarm\",\"object\":\"chat.completion.chunk\","
            + "\"created\":1700000000,\"model\":\"prewarm\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,"
            + "\"completion_tokens\":1,\"total_tokens\":2}}";
    private static final String SAMPLE_BODY = "{\"model\":\"prewarm\",\"stream\":true,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    private Prewarm() {}

    /** Whether Lambda runs init ahead of any request (so that warming may as well finish inside it). */
    static boolean initAheadOfRequests(Map<String, String> env) {
        String type = env.getOrDefault("AWS_LAMBDA_INITIALIZATION_TYPE", "");
        return type.equals("snap-start") || type.equals("provisioned-concurrency");
    }

    /**
     * Starts the warm-up on two daemon threads: JSON (which the main thread needs first, for the
     * configuration) and TLS plus the HTTP client (which it needs next, for the HTTP upstream).
     */
    static void inBackground() {
        daemon("llm-relay-prewarm-json", Prewarm::json).start();
        daemon("llm-relay-prewarm-http", Prewarm::http).start();
    }

    /**
     * Everything, one step after the other (init ahead of requests: nothing to overlap with), and a
     * TLS handshake ({@link PrewarmTls}): it halves the first byte after a SnapStart restore over an
     * HTTPS upstream, but run beside an on-demand init it competes with it for the CPU and made the
     * first byte later, with a TLS upstream as without (bench/ coldstart, README "Performance").
     * {@code RELAY_PREWARM_TLS=off} skips it.
     */
    static void run() {
        json();
        http();
        if (!"off".equalsIgnoreCase(System.getenv("RELAY_PREWARM_TLS"))) {
            try {
                PrewarmTls.exchange(SAMPLE_BODY, SAMPLE_CHUNK); // the first TLS handshake's code, on loopback
            } catch (Throwable ignored) {
                // only a warm-up
            }
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }

    private static void json() {
        try {
            relayCodePaths();
        } catch (Throwable ignored) {
            // only a warm-up
        }
    }

    private static void http() {
        try {
            SSLContext.getDefault(); // what the HTTP client's constructor would do on the main thread
        } catch (Throwable ignored) {
            // the real client reports it
        }
        try {
            loopbackExchange();
        } catch (Throwable ignored) {
            // only a warm-up
        }
        try {
            http1Exchange();
        } catch (Throwable ignored) {
            // only a warm-up
        }
    }

    /** The relay's per-request parsing and encoding, on sample data. */
    private static void relayCodePaths() throws Exception {
        String event = "{\"version\":\"2.0\",\"rawPath\":\"/v1/chat/completions\",\"headers\":{\"authorization\":"
                + "\"Bearer prewarm\",\"content-type\":\"application/json\"},\"requestContext\":{\"http\":{\"method\":"
                + "\"POST\",\"path\":\"/v1/chat/completions\",\"sourceIp\":\"127.0.0.1\"},\"requestId\":\"prewarm\"},"
                + "\"body\":" + quote(SAMPLE_BODY) + ",\"isBase64Encoded\":false}";
        FunctionUrlRequest request = FunctionUrlRequest.fromEvent(event.getBytes(StandardCharsets.UTF_8));
        ChatCompletionRequest chat = ChatCompletionRequest.parse(request.body());
        chat.toUpstreamBody("prewarm", ChatCompletionRequest.DEFAULT_DROPPED_FIELDS, true);
        KeyDigest.sha256Hex("prewarm");
        Traces.forRequest(request.header("traceparent"), "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0");
        ChunkDecoder decoder = ChunkDecoder.forRequest("prewarm", 1_700_000_000L, "prewarm", true);
        SseReader reader = new SseReader(new ByteArrayInputStream(("data: " + SAMPLE_CHUNK + "\n\ndata: " + SAMPLE_USAGE
                + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8)));
        for (SseEvent e = reader.next(); e != null; e = reader.next()) {
            if (decoder.decode(e.data()) instanceof StreamItem.Chunk chunk) {
                ChatSse.frame(chunk.json());
            }
        }
        new HttpIntegrationPrelude(200, Map.of("content-type", "text/event-stream"), List.of()).encode();
    }

    /**
     * One streamed HTTP/1.1 exchange of the JDK client with a server socket of our own on
     * 127.0.0.1: the classes and code of {@code HttpClient.send} and of reading a chunked body.
     */
    private static void loopbackExchange() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            server.setSoTimeout((int) BOUND.toMillis());
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(BOUND).build()) {
                CompletableFuture<HttpResponse<InputStream>> response = sendSample(client, uri, SAMPLE_BODY);
                try (Socket socket = server.accept()) {
                    answerAndRead(socket, SAMPLE_CHUNK, response);
                }
            }
        }
    }

    /** Sends {@code body} as the relay posts a streamed chat request, without waiting for the answer. */
    static CompletableFuture<HttpResponse<InputStream>> sendSample(HttpClient client, URI uri, String body) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(BOUND)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(StandardCharsets.UTF_8)))
                .setHeader("Content-Type", "application/json")
                .setHeader("Accept", "text/event-stream")
                .build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    /**
     * The server side of a loopback exchange on an accepted {@code socket} (plain or TLS): reads the
     * request, answers one chunked event holding {@code chunkJson}, and reads {@code response} to
     * its end as the relay reads a stream.
     */
    static void answerAndRead(Socket socket, String chunkJson, CompletableFuture<HttpResponse<InputStream>> response)
            throws Exception {
        socket.setSoTimeout((int) BOUND.toMillis());
        readRequest(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        byte[] event = ("data: " + chunkJson + "\n\n").getBytes(StandardCharsets.UTF_8);
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
                + "connection: close\r\n\r\n" + Integer.toHexString(event.length) + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(event);
        out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        try (InputStream body = response.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).body()) {
            SseReader reader = new SseReader(body);
            while (reader.next() != null) {
                // read to the end, as the relay does
            }
        }
    }

    /**
     * One streamed exchange of the relay's HTTP/1.1 client ({@link UpstreamHttp}, which plain-http
     * upstreams go through) with a throwaway {@link ServerSocket} on 127.0.0.1, answered from a
     * second short-lived thread (the client blocks on the thread that sends): its classes and code,
     * read to the body's end as the relay reads a stream.
     */
    private static void http1Exchange() throws Exception {
        try (ServerSocket server = new ServerSocket();
                UpstreamHttp http = new UpstreamHttp(HttpClient.newBuilder().build(),
                        () -> (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault())) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            server.setSoTimeout((int) BOUND.toMillis());
            Thread answer = daemon("llm-relay-prewarm-upstream", () -> {
                try (Socket socket = server.accept()) {
                    socket.setSoTimeout((int) BOUND.toMillis());
                    readRequest(socket.getInputStream());
                    byte[] event = ("data: " + SAMPLE_CHUNK + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
                    OutputStream out = socket.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
                            + Integer.toHexString(event.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(event);
                    out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    socket.getInputStream().read(); // until the client closes its pooled connection
                } catch (IOException ignored) {
                    // only a warm-up
                }
            });
            answer.start();
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            byte[] body = SAMPLE_BODY.getBytes(StandardCharsets.UTF_8);
            UpstreamResponse response = http.send(() -> JdkHttp.post(uri, body, BOUND)
                    .setHeader("Content-Type", "application/json").setHeader("Accept", "text/event-stream").build(),
                    body, uri, BOUND, null);
            try (InputStream in = response.body()) {
                SseReader reader = new SseReader(in);
                while (reader.next() != null) {
                    // read to the end, as the relay does
                }
            } finally {
                response.close();
            }
        }
    }

    /** Reads a request head and its Content-Length body. */
    static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0 || head.length() > 16 * 1024) {
                throw new IOException("no request head");
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}

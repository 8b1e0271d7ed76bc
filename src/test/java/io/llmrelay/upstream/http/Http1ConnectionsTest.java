package io.llmrelay.upstream.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.LoopbackTls;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blocking HTTP/1.1 client against a real socket server on 127.0.0.1 that answers each request
 * with a scripted action, and counts connections: framing (RFC 9112 sections 6.3 and 7.1), the
 * pool (a connection is reused only after its body was read to the end), a stale pooled
 * connection retried once on a fresh one, and what is never retried.
 */
class Http1ConnectionsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private ScriptedServer server(ScriptedServer.Script script) throws IOException {
        ScriptedServer server = new ScriptedServer(script);
        toClose.add(server);
        return server;
    }

    private UpstreamHttp client() {
        UpstreamHttp http = new UpstreamHttp(HttpClient.newHttpClient(), () -> (SSLSocketFactory) SSLSocketFactory.getDefault());
        toClose.add(http);
        return http;
    }

    private static UpstreamResponse post(UpstreamHttp http, URI uri, String body) throws UpstreamException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.send(() -> JdkHttp.post(uri, bytes, TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .setHeader("content-type", "application/json").setHeader("x-request-id", "req-1").build(),
                bytes, uri, TIMEOUT, null);
    }

    private static String readAll(UpstreamResponse response) throws IOException {
        try (InputStream in = response.body()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final String OK_CHUNKED = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            + "transfer-encoding: chunked\r\n\r\n"
            + "5;ext=1\r\ndata:\r\n" + "7\r\n hello\n\r\n" + "0\r\nx-trailer: t\r\n\r\n";

    @Test
    void writesTheRequestLineHostLengthHeadersAndBodyInOrder() throws Exception {
        ScriptedServer server = server(e -> {
            e.answer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
            return true;
        });
        URI uri = server.uri("http", "/v1/chat/completions?api-version=1");
        assertEquals("{}", readAll(post(client(), uri, "{\"a\":1}")));
        ScriptedServer.Exchange seen = server.seen.getFirst();
        assertTrue(seen.head().startsWith("POST /v1/chat/completions?api-version=1 HTTP/1.1\r\nHost: 127.0.0.1:"
                + server.socket.getLocalPort() + "\r\nContent-Length: 7\r\n"), seen.head());
        assertTrue(seen.head().contains("content-type: application/json\r\n"), seen.head());
        assertTrue(seen.head().contains("x-request-id: req-1\r\n"), seen.head());
        assertEquals("{\"a\":1}", new String(seen.body(), StandardCharsets.UTF_8));
    }

    @Test
    void readsAChunkedBodyWithExtensionsAndTrailersThenReusesTheConnection() throws Exception {
        ScriptedServer server = server(e -> {
            e.answer(OK_CHUNKED);
            return true;
        });
        UpstreamHttp http = client();
        UpstreamResponse first = post(http, server.uri("http", "/"), "{}");
        assertEquals(200, first.status());
        assertEquals("text/event-stream", first.header("Content-Type"));
        assertEquals("data: hello\n", readAll(first));
        assertEquals("data: hello\n", readAll(post(http, server.uri("http", "/"), "{}")));
        assertEquals(1, server.connections.get(), "the second request went on the first one's connection");
        assertEquals(2, server.seen.size());
    }

    @Test
    void aContentLengthBodyEndsAtItsLengthAndAnInterimResponseIsSkipped() throws Exception {
        ScriptedServer server = server(e -> {
            e.answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\n"
                    + "x-a: 1\r\nX-A: 2\r\ncontent-length: 11\r\n\r\n{\"e\":\"no\"}\n");
            return true;
        });
        UpstreamResponse response = post(client(), server.uri("http", "/"), "{}");
        assertEquals(429, response.status());
        assertEquals("1, 2", response.header("x-a"));
        assertEquals("{\"e\":\"no\"}\n", readAll(response));
    }

    @Test
    void aBodyWithoutLengthOrChunksEndsWithTheConnectionWhichIsNotReused() throws Exception {
        ScriptedServer server = server(e -> {
            e.answer("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{\"whole\":true}");
            return false;
        });
        UpstreamHttp http = client();
        assertEquals("{\"whole\":true}", readAll(post(http, server.uri("http", "/"), "{}")));
        assertEquals("{\"whole\":true}", readAll(post(http, server.uri("http", "/"), "{}")));
        assertEquals(2, server.connections.get());
    }

    @Test
    void aPooledConnectionTheUpstreamClosedWhileIdleIsSentAgainOnAFreshOneOnce() throws Exception {
        // Answers, then closes the connection without a word (as an idle timeout does); the client pooled it.
        ScriptedServer server = server(e -> {
            e.answer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
            return false;
        });
        UpstreamHttp http = client();
        assertEquals("{}", readAll(post(http, server.uri("http", "/"), "{}")));
        Thread.sleep(50); // the server's close reaches the client's socket
        assertEquals("{}", readAll(post(http, server.uri("http", "/"), "{}")));
        assertEquals(2, server.connections.get());
        assertEquals(2, server.seen.size(), "the stale connection carried no request the server read");
    }

    @Test
    void aFreshConnectionClosedBeforeAnyAnswerIsAConnectFailureSentOnce() throws Exception {
        ScriptedServer server = server(e -> false);
        UpstreamException e = assertThrows(UpstreamException.class, () -> post(client(), server.uri("http", "/"), "{}"));
        assertEquals(UpstreamException.Kind.CONNECT, e.kind());
        assertEquals(1, server.seen.size());
    }

    @Test
    void noHeadWithinTheTimeoutOnAPooledConnectionIsATimeoutAndIsNotSentAgain() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        ScriptedServer server = server(e -> {
            if (requests.incrementAndGet() == 1) {
                e.answer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
            } else {
                Thread.sleep(2_000); // a slow upstream, not a stale connection
            }
            return true;
        });
        UpstreamHttp http = client();
        assertEquals("{}", readAll(post(http, server.uri("http", "/"), "{}")));
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        URI uri = server.uri("http", "/");
        Duration short_ = Duration.ofMillis(200);
        UpstreamException e = assertThrows(UpstreamException.class, () -> http.send(
                () -> JdkHttp.post(uri, body, short_).build(), body, uri, short_, null));
        assertEquals(UpstreamException.Kind.TIMEOUT, e.kind());
        assertEquals(2, server.seen.size());
    }

    @Test
    void aBodyClosedBeforeItsEndAbortsTheConnectionAndIsNotReused() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        AtomicReference<Integer> clientGone = new AtomicReference<>();
        ScriptedServer server = server(e -> {
            if (requests.incrementAndGet() > 1) {
                e.answer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
                return true;
            }
            e.answer("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\ndata:\r\n");
            clientGone.set(e.socket().getInputStream().read()); // -1 once the client closes
            return false;
        });
        UpstreamHttp http = client();
        UpstreamResponse response = post(http, server.uri("http", "/"), "{}");
        assertArrayEquals("data:".getBytes(StandardCharsets.US_ASCII), response.body().readNBytes(5));
        AtomicReference<Throwable> readFailure = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try {
                response.body().read(new byte[10]);
            } catch (IOException e) {
                readFailure.set(e);
            }
        });
        reader.start();
        Thread.sleep(50);
        response.close(); // from another thread, as the relay's watchdogs do
        reader.join(5_000);
        assertFalse(reader.isAlive(), "the blocked read ended");
        assertTrue(readFailure.get() instanceof IOException, String.valueOf(readFailure.get()));
        for (int i = 0; i < 500 && clientGone.get() == null; i++) {
            Thread.sleep(10);
        }
        assertEquals(-1, clientGone.get(), "the upstream saw the connection go");
        assertEquals("{}", readAll(post(http, server.uri("http", "/"), "{}")));
        assertEquals(2, server.connections.get(), "the aborted connection was not pooled");
    }

    @Test
    void closedByItsReaderInTheMiddleOfAStreamTheExchangeIsAborted() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        AtomicReference<Integer> clientGone = new AtomicReference<>();
        ScriptedServer server = server(e -> {
            if (requests.incrementAndGet() > 1) {
                e.answer("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
                return true;
            }
            e.answer("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\ndata:\r\n");
            try {
                for (int i = 0; i < 200; i++) { // a stream that goes on: more than the close reads on for
                    e.answer("40\r\n" + "x".repeat(64) + "\r\n");
                    Thread.sleep(1);
                }
            } catch (IOException gone) {
                clientGone.set(-1);
            }
            return false;
        });
        UpstreamHttp http = client();
        UpstreamResponse response = post(http, server.uri("http", "/"), "{}");
        assertArrayEquals("data:".getBytes(StandardCharsets.US_ASCII), response.body().readNBytes(5));
        long start = System.nanoTime();
        response.close();
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(1), "close read on only briefly");
        for (int i = 0; i < 500 && clientGone.get() == null; i++) {
            Thread.sleep(10);
        }
        assertEquals(-1, clientGone.get(), "the upstream's writes failed: the connection was closed");
        assertEquals("{}", readAll(post(http, server.uri("http", "/"), "{}")));
        assertEquals(2, server.connections.get());
    }

    @Test
    void anInterruptedVirtualThreadWaitingForTheHeadStopsAtOnce() throws Exception {
        ScriptedServer server = server(e -> {
            Thread.sleep(10_000);
            return false;
        });
        UpstreamHttp http = client();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread waiting = Thread.ofVirtual().start(() -> {
            try {
                outcome.set(post(http, server.uri("http", "/"), "{}"));
            } catch (UpstreamException e) {
                outcome.set(e);
            }
        });
        while (server.seen.isEmpty()) {
            Thread.sleep(5);
        }
        waiting.interrupt(); // what a hedge that lost gets
        waiting.join(2_000);
        assertFalse(waiting.isAlive(), "the read ended on the interrupt, long before the server would answer");
        assertTrue(outcome.get() instanceof UpstreamException e && e.kind() == UpstreamException.Kind.CONNECT,
                String.valueOf(outcome.get()));
    }

    @Test
    void malformedFramingIsAnIoFailureOfTheBody() throws Exception {
        ScriptedServer server = server(e -> {
            e.answer("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n");
            return true;
        });
        UpstreamResponse response = post(client(), server.uri("http", "/"), "{}");
        IOException e = assertThrows(IOException.class, () -> response.body().read());
        assertEquals("malformed chunk size from upstream", e.getMessage());
    }

    @TempDir
    Path dir;

    @Test
    void httpsPinnedToHttp11GoesOverTlsWithTheGivenTrustAndVerifiesTheHostName() throws Exception {
        LoopbackTls identity = LoopbackTls.create(dir); // a certificate for 127.0.0.1 only
        SSLContext serverTls = identity.server();
        SSLContext clientTls = identity.trustingClient();

        ScriptedServer server = new ScriptedServer(serverTls.getServerSocketFactory(), e -> {
            e.answer(OK_CHUNKED);
            return true;
        });
        toClose.add(server);
        UpstreamHttp http = new UpstreamHttp(HttpClient.newHttpClient(), clientTls::getSocketFactory);
        toClose.add(http);
        assertEquals("data: hello\n", readAll(post(http, server.uri("https", "/v1"), "{}")));
        assertEquals("data: hello\n", readAll(post(http, server.uri("https", "/v1"), "{}")));
        assertEquals(1, server.connections.get(), "the TLS connection was pooled and reused");

        // The certificate names 127.0.0.1 only: "localhost" is the same socket but not the name it was issued to.
        URI byName = URI.create("https://localhost:" + server.socket.getLocalPort() + "/v1");
        UpstreamException e = assertThrows(UpstreamException.class, () -> post(http, byName, "{}"));
        assertEquals(UpstreamException.Kind.CONNECT, e.kind());
        assertTrue(e.getMessage().contains("No name matching localhost found"), e.getMessage());
    }
}

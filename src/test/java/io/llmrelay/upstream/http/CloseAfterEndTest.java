package io.llmrelay.upstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How a finished stream is closed ({@link UpstreamResponse#closeAfterEnd()}), through each of the
 * relay's clients against a real socket server: after the last event the body's end is read and the
 * connection serves the next request; a body that does not end (it stays open after its last event,
 * or goes on past what a close reads) is abandoned, and the upstream sees its connection closed.
 */
@Timeout(30)
class CloseAfterEndTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String LAST_EVENT = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
            + "transfer-encoding: chunked\r\n\r\ne\r\ndata: [DONE]\n\n\r\n";
    private static final String SMALL_ANSWER = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}";

    /** Which client sends: the relay's own HTTP/1.1 client (plain http), or the JDK's (https). */
    enum Client { HTTP1, JDK }

    private ScriptedServer server;
    private final UpstreamHttp http = new UpstreamHttp(JdkHttp.newClient(),
            () -> (SSLSocketFactory) SSLSocketFactory.getDefault());

    @AfterEach
    void close() throws IOException {
        http.close();
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void afterTheLastEventTheBodysEndIsReadAndTheConnectionServesTheNextRequest(Client client) throws Exception {
        server = new ScriptedServer(e -> {
            e.answer(LAST_EVENT);
            Thread.sleep(2); // the last chunk follows the last event as its own write, a little later
            e.answer("0\r\n\r\n");
            return true;
        });
        for (int i = 0; i < 3; i++) {
            UpstreamResponse response = post(client);
            assertEquals("data: [DONE]\n\n", new String(response.body().readNBytes(14), StandardCharsets.UTF_8));
            response.closeAfterEnd();
        }
        assertEquals(3, server.seen.size());
        assertEquals(1, server.connections.get(), "each request after the first went on the first one's connection");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void aBodyThatStaysOpenAfterItsLastEventIsAbandoned(Client client) throws Exception {
        CountDownLatch clientClosed = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        server = new ScriptedServer(e -> {
            if (requests.incrementAndGet() > 1) {
                e.answer(SMALL_ANSWER);
                return true;
            }
            e.answer(LAST_EVENT); // and never the last chunk
            awaitClose(e.socket().getInputStream(), clientClosed);
            return false;
        });
        assertAbandonedAfterTheLastEvent(client, clientClosed);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Client.class)
    void aBodyThatGoesOnPastWhatACloseReadsIsAbandonedEvenIfItWouldEnd(Client client) throws Exception {
        CountDownLatch clientClosed = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        String chunk = "4000\r\n" + ":".repeat(0x4000) + "\r\n"; // 16 KiB of SSE comment lines' bytes
        server = new ScriptedServer(e -> {
            if (requests.incrementAndGet() > 1) {
                e.answer(SMALL_ANSWER);
                return true;
            }
            e.answer(LAST_EVENT);
            try {
                for (int i = 0; i < 64; i++) { // 1 MiB: more than a close reads, and than the JDK client buffers
                    e.answer(chunk);
                }
                e.answer("0\r\n\r\n");
            } catch (IOException gone) {
                clientClosed.countDown();
                return false;
            }
            awaitClose(e.socket().getInputStream(), clientClosed);
            return false;
        });
        assertAbandonedAfterTheLastEvent(client, clientClosed);
    }

    /** The answer read to its last event and closed after its end: the upstream sees the connection closed, and the next request takes a new one. */
    private void assertAbandonedAfterTheLastEvent(Client client, CountDownLatch clientClosed) throws Exception {
        UpstreamResponse response = post(client);
        assertEquals("data: [DONE]\n\n", new String(response.body().readNBytes(14), StandardCharsets.UTF_8));
        response.closeAfterEnd();
        assertTrue(clientClosed.await(10, TimeUnit.SECONDS), "the upstream saw its connection closed");
        assertEquals("{}", new String(post(client).body().readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(2, server.connections.get(), "the abandoned connection was not pooled");
    }

    /** Counts down once the client has closed the connection (end of stream, or a reset). */
    private static void awaitClose(InputStream fromClient, CountDownLatch closed) {
        try {
            while (fromClient.read() >= 0) {
                // nothing more is sent on this connection
            }
        } catch (IOException reset) {
            // closed with unread data: a reset
        }
        closed.countDown();
    }

    /** A POST as the relay sends it: pinned to HTTP/1.1 for the relay's own client, else on the JDK's. */
    private UpstreamResponse post(Client client) throws UpstreamException {
        URI uri = server.uri("http", "/v1/chat/completions");
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        return http.send(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (client == Client.HTTP1) {
                request.version(HttpClient.Version.HTTP_1_1);
            }
            return request.build();
        }, body, uri, TIMEOUT, null);
    }
}

package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A caller that hangs up mid-stream: the relay's next write fails, and it abandons the upstream
 * exchange at once, so the model stops generating (and billing) tokens nobody will hear. Seen
 * from the upstream's side: its connection is closed shortly after the client's.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayCallerDisconnectTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    @Test
    void whenTheClientClosesAfterTheFirstChunkTheUpstreamConnectionIsClosedSoonAfter() throws Exception {
        // An upstream that would go on generating for 40 s (2000 tokens, one per 20 ms) unless stopped.
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role())
                .chunksUntilClosed(i -> Chunks.content(" token" + i), Duration.ofMillis(20), 2000));

        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", served.relay().url().getPort()), 5000);
            socket.setSoTimeout(10_000);
            byte[] body = CHAT.getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer " + RelayUnderTest.CALLER_KEY + "\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();

            String firstChunk = readThroughFirstEvent(socket.getInputStream());
            assertTrue(firstChunk.startsWith("HTTP/1.1 200"), firstChunk);
            assertTrue(firstChunk.contains("data: " + Chunks.role()), firstChunk);
            // Hang up hard (RST), as a phone platform dropping a call does.
            socket.setSoLinger(true, 0);
        }
        int request = served.upstream().nextRequest().index();

        assertTrue(served.upstream().awaitWriteFailure(request, Duration.ofSeconds(10)),
                "the upstream's connection was closed within 10 s of the client's (it streams for 40 s otherwise)");
        assertTrue(awaitLogLine("\"error\":\"caller_disconnected\""), served.relay().output());
    }

    @Test
    void theRelayServesTheNextCallerNormally() throws Exception {
        RelayClient client = new RelayClient(served.relay());

        assertEquals(200, client.postChat(CHAT).statusCode());
        client.assertNoKeyLeaked();
    }

    /** Reads the response head and up to the end of the first SSE event. */
    private static String readThroughFirstEvent(InputStream in) throws Exception {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the response ended early: " + read.toString(StandardCharsets.UTF_8));
            }
            read.write(b);
            String text = read.toString(StandardCharsets.UTF_8);
            int data = text.indexOf("data: ");
            if (data >= 0 && text.indexOf("\n\n", data) >= 0) {
                return text;
            }
        }
    }

    /** The request log line is written when the invocation ends, just after the upstream is closed. */
    private static boolean awaitLogLine(String fragment) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (served.relay().output().contains(fragment)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}

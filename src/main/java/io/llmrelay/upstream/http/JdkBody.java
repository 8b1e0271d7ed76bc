package io.llmrelay.upstream.http;

import io.llmrelay.upstream.PooledBody;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/**
 * The JDK {@code HttpClient}'s response body (https upstreams), which pools its connection only once
 * the body has been read to its end: jdk.internal.net.http.ResponseContent returns the connection to
 * the pool just before the reader sees the end, and a close before that cancels the exchange and
 * closes the connection. A stream's last event ({@code [DONE]}) usually comes just before its body's
 * last chunk, so without reading on, every invocation paid for a new connection and a TLS handshake
 * (UpstreamConnectionsTest saw 3 connections for 4 back-to-back invocations).
 *
 * <p>A read of this stream cannot be given a timeout; only a close from another thread ends it. So
 * {@link #closeAfterEnd} reads on a virtual thread that the caller waits for, at most the wait it is
 * given: an upstream that keeps its body open after its last event is cut off then, rather than
 * holding up the invocation's end.
 */
final class JdkBody extends FilterInputStream implements PooledBody {
    JdkBody(InputStream jdkBody) {
        super(jdkBody);
    }

    @Override
    public void closeAfterEnd(Duration wait, int maxBytes) {
        Thread drain = Thread.ofVirtual().name("llm-relay-upstream-drain").start(() -> {
            try {
                byte[] buffer = new byte[1024];
                int left = maxBytes;
                for (int n = 0; n >= 0 && left > 0; left -= Math.max(n, 0)) {
                    n = in.read(buffer, 0, Math.min(buffer.length, left));
                }
            } catch (IOException | RuntimeException e) {
                // the connection is not reusable; the close below abandons it
            } finally {
                closeQuietly();
            }
        });
        try {
            if (!drain.join(wait)) {
                closeQuietly(); // the body did not end: abandon it (which also ends the drain's read)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            in.close();
        } catch (IOException | RuntimeException e) {
            // the exchange is being abandoned either way
        }
    }
}

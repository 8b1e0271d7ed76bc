package io.llmrelay.upstream.http;

import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 exchanges on kept-alive connections, pooled per scheme, host and port, each run on the
 * calling thread ({@link Http1Connection}). Written here rather than taken from a library because
 * the one HTTP client the Lambda package may carry is the JDK's, whose selector thread stands
 * between every upstream byte and the relay's thread; Apache's and OkHttp's would be a dependency
 * for the same ~300 lines of RFC 9112 framing.
 *
 * <p>A pooled connection the upstream has closed meanwhile must not cost the caller an error:
 * when a reused connection fails before the first byte of the response (the write fails, or the
 * read ends at once), the request goes once more on a fresh connection. Nothing of it can have
 * been processed then: an HTTP/1.1 server that closes an idle connection has read no request on it
 * (RFC 9112 section 9.3.1 lets a client retry in that case). A fresh connection's failure is final.
 */
final class Http1Connections implements AutoCloseable {
    /** A connection idle longer than this is not reused: servers close idle ones after 60 s (nginx 75 s, many load balancers 60 s). */
    static final long MAX_IDLE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** Idle connections kept per host: one per concurrent invocation an environment runs is plenty. */
    static final int MAX_IDLE_PER_KEY = 8;

    private final Supplier<SSLSocketFactory> tls;
    private SSLSocketFactory tlsFactory;
    private final Map<String, Deque<Http1Connection>> idle = new HashMap<>();
    private boolean closed;

    /** @param tls how https connections are made: {@link SSLSocketFactory#getDefault()} (the JDK's trust store) on the relay */
    Http1Connections(Supplier<SSLSocketFactory> tls) {
        this.tls = tls;
    }

    /**
     * Sends {@code request} with {@code body} and returns once the response head is in, within
     * {@code timeoutMs} for connecting and for the head; the body is read from the response.
     */
    UpstreamResponse exchange(HttpRequest request, byte[] body, int timeoutMs) throws IOException {
        URI uri = request.uri();
        Http1Connection pooled = take(Http1Connection.key(uri));
        if (pooled != null) {
            try {
                return exchange(pooled, request, body, timeoutMs);
            } catch (Http1Connection.UnansweredException e) {
                if (Thread.currentThread().isInterrupted()) {
                    throw e; // cancelled (a hedge that lost), not stale
                }
                // stale: the upstream closed it while it was idle; once more on a fresh one
            }
        }
        return exchange(Http1Connection.open(uri, "https".equalsIgnoreCase(uri.getScheme()) ? tls() : null, timeoutMs),
                request, body, timeoutMs);
    }

    private UpstreamResponse exchange(Http1Connection connection, HttpRequest request, byte[] body, int timeoutMs)
            throws IOException {
        try {
            connection.write(request, body);
            Http1Connection.Head head = connection.readHead(timeoutMs);
            return new UpstreamResponse(head.status(), head.headers(), new Http1Body(connection, head, this::release));
        } catch (IOException | RuntimeException e) {
            connection.abort();
            throw e;
        }
    }

    /** Made on the first https connection: the default SSLContext's set-up (trust store) is costly and plain http needs none. */
    private synchronized SSLSocketFactory tls() {
        if (tlsFactory == null) {
            tlsFactory = tls.get();
        }
        return tlsFactory;
    }

    private synchronized Http1Connection take(String key) {
        Deque<Http1Connection> connections = idle.get(key);
        long now = System.nanoTime();
        while (connections != null && !connections.isEmpty()) {
            Http1Connection connection = connections.pollLast(); // the most recently used: the least likely to be stale
            if (now - connection.idleSince() < MAX_IDLE_NANOS && !connection.isClosed()) {
                return connection;
            }
            connection.abort();
        }
        return null;
    }

    private synchronized void release(Http1Connection connection) {
        Deque<Http1Connection> connections = idle.computeIfAbsent(connection.key, k -> new ArrayDeque<>());
        if (closed || connections.size() >= MAX_IDLE_PER_KEY) {
            connection.abort();
            return;
        }
        connection.idleSince(System.nanoTime());
        connections.addLast(connection);
    }

    /** Closes every idle connection; connections in use close when their exchange ends. */
    @Override
    public synchronized void close() {
        closed = true;
        idle.values().forEach(connections -> connections.forEach(Http1Connection::abort));
        idle.clear();
    }
}

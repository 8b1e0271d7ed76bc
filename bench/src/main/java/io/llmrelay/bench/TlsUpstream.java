package io.llmrelay.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The scheduled OpenAI upstream ({@link ScheduledUpstream}'s schedule and tags) served by Jetty on
 * 127.0.0.1, over plain HTTP/1.1 or over TLS with the bench's self-signed certificate
 * ({@link BenchTrust}): {@code h1} offers only {@code http/1.1} by ALPN, {@code h2} offers {@code h2}
 * first (the JDK client asks for h2, then http/1.1, so it gets what the server offers). One server
 * implementation for all three, so that their differences are the protocol's, not the server's.
 * Counts the connections it accepts (a TLS connection is one handshake), to show reuse.
 */
final class TlsUpstream implements BenchUpstream, AutoCloseable {
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");

    enum Mode {
        PLAIN, H1, H2;

        static Mode parse(String name) {
            try {
                return valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("an upstream mode is plain, h1 or h2, not '" + name + "'");
            }
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Mode mode;
    private final Server server;
    private final ServerConnector connector;
    private final int chunks;
    private final long intervalNanos;
    private final long firstDelayNanos;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final Map<String, AtomicLongArray> sent = new ConcurrentHashMap<>();
    private final Map<String, Long> received = new ConcurrentHashMap<>();

    TlsUpstream(Mode mode, BenchTrust trust, int chunks, double intervalMs, double firstDelayMs) throws Exception {
        this.mode = mode;
        this.chunks = chunks;
        this.intervalNanos = (long) (intervalMs * 1_000_000);
        this.firstDelayNanos = (long) (firstDelayMs * 1_000_000);
        QueuedThreadPool threads = new QueuedThreadPool(512, 8);
        threads.setName("tls-upstream");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        HttpConnectionFactory h1 = new HttpConnectionFactory(http);
        if (mode == Mode.PLAIN) {
            connector = new ServerConnector(server, h1);
        } else {
            SecureRequestCustomizer secure = new SecureRequestCustomizer();
            secure.setSniHostCheck(false); // the relay connects to 127.0.0.1: no SNI
            http.addCustomizer(secure);
            SslContextFactory.Server ssl = new SslContextFactory.Server();
            ssl.setKeyStorePath(trust.keyStore().toString());
            ssl.setKeyStorePassword(BenchTrust.PASSWORD);
            ssl.setKeyStoreType("PKCS12");
            ssl.setSniRequired(false);
            ALPNServerConnectionFactory alpn = mode == Mode.H2
                    ? new ALPNServerConnectionFactory("h2", "http/1.1")
                    : new ALPNServerConnectionFactory("http/1.1");
            alpn.setDefaultProtocol("http/1.1");
            SslConnectionFactory tls = new SslConnectionFactory(ssl, alpn.getProtocol());
            connector = mode == Mode.H2
                    ? new ServerConnector(server, tls, alpn, new HTTP2ServerConnectionFactory(http), h1)
                    : new ServerConnector(server, tls, alpn, h1);
        }
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setAcceptQueueSize(512);
        connector.addEventListener(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                // Plain: the HTTP connection; TLS: the SSL connection under whatever ALPN chose.
                if (mode == Mode.PLAIN || connection instanceof SslConnection) {
                    connections.incrementAndGet();
                }
            }
        });
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                stream(request, response, callback);
                return true;
            }
        });
        server.start();
    }

    Mode mode() {
        return mode;
    }

    int port() {
        return connector.getLocalPort();
    }

    @Override
    public String baseUrl() {
        return (mode == Mode.PLAIN ? "http" : "https") + "://127.0.0.1:" + port() + "/v1";
    }

    /** Connections accepted so far (TLS: handshakes begun). */
    int connections() {
        return connections.get();
    }

    int requests() {
        return requests.get();
    }

    @Override
    public AtomicLongArray sentTimes(String tag) {
        return sent.get(tag);
    }

    /** When the tagged request's body was in (System.nanoTime); null if never seen. */
    Long receivedAt(String tag) {
        return received.get(tag);
    }

    @Override
    public void forget(String tag) {
        sent.remove(tag);
        received.remove(tag);
    }

    private void stream(Request request, Response response, Callback callback) throws Exception {
        if (!request.getMethod().equals("POST") || !Request.getPathInContext(request).endsWith("/chat/completions")) {
            Response.writeError(request, response, callback, 404);
            return;
        }
        String json = Content.Source.asString(request, StandardCharsets.UTF_8);
        long receipt = System.nanoTime();
        requests.incrementAndGet();
        String tag = ScheduledUpstream.tagOf(json);
        boolean usage = INCLUDE_USAGE.matcher(json).find();
        AtomicLongArray times = new AtomicLongArray(chunks + 1);
        if (tag != null) {
            sent.put(tag, times);
            received.put(tag, receipt);
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        // The head leaves with the first event, as in ScheduledUpstream.
        for (int i = 0; i <= chunks; i++) {
            byte[] event = i < chunks ? Chunks.event(i, chunks) : Chunks.DONE;
            long due = receipt + firstDelayNanos + (long) Math.min(i, chunks - 1) * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            if (usage && i == chunks) {
                write(response, Chunks.sse(Chunks.usage(chunks)), false);
            }
            times.set(i, System.nanoTime());
            write(response, event, i == chunks);
        }
        callback.succeeded();
    }

    private static void write(Response response, byte[] bytes, boolean last) throws Exception {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(last, ByteBuffer.wrap(bytes), written);
            written.block();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}

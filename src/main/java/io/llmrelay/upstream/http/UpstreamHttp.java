package io.llmrelay.upstream.http;

import io.llmrelay.stages.Stages;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;

/**
 * How every HTTP upstream's request is sent, chosen per request by its HTTP version:
 *
 * <pre>
 * request                                     sent by                         why
 * pinned to HTTP/1.1 (every http:// request,   Http1Connections, this thread   no selector thread between the
 *   JdkHttp.post; over TLS if https)                                           upstream's bytes and the relay
 * https:// (not pinned)                        the JDK HttpClient, HTTP/1.1     its TLS; HTTP/1.1 (JdkHttp.newClient:
 *                                                                              HTTP/2 was no faster, bench/README.md)
 * </pre>
 *
 * Both pool their connections and survive between invocations; {@link #close()} drops both pools
 * (after a SnapStart restore every pooled connection is dead). Failures are the same
 * {@link UpstreamException}s whichever client sent the request, naming the host, never a key.
 */
public final class UpstreamHttp implements AutoCloseable {
    private final HttpClient jdk;
    private final Http1Connections http1;

    /** The JDK's client and default TLS (its trust store): what the relay runs with. */
    public static UpstreamHttp standard() {
        return new UpstreamHttp(JdkHttp.newClient(), () -> (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    /** @param tls https connections of the HTTP/1.1 client; asked on the first one only */
    public UpstreamHttp(HttpClient jdk, Supplier<SSLSocketFactory> tls) {
        this.jdk = jdk;
        this.http1 = new Http1Connections(tls);
    }

    /**
     * Builds the request, sends it and returns once the response head is in.
     *
     * @param request builds the request; building is inside the same guard as sending, because the
     *                JDK refuses a header it cannot send with an exception that quotes its value
     * @param body    the request's body, as its publisher carries it
     * @param secret  a key the request carries, replaced by *** should any message quote it; may be null
     */
    public UpstreamResponse send(Supplier<HttpRequest> request, byte[] body, URI baseUrl, Duration timeout,
            String secret) throws UpstreamException {
        HttpRequest built;
        try {
            built = request.get();
        } catch (RuntimeException e) {
            throw JdkHttp.unsendable(baseUrl, e);
        }
        if (Stages.ON) {
            Stages.mark(Stages.Stage.SENT);
        }
        UpstreamResponse response = built.version().orElse(null) == HttpClient.Version.HTTP_1_1
                ? sendHttp1(built, body, baseUrl, timeout, secret)
                : JdkHttp.send(jdk, () -> built, baseUrl, timeout, secret);
        if (Stages.ON) {
            Stages.mark(Stages.Stage.HEAD);
        }
        return response;
    }

    private UpstreamResponse sendHttp1(HttpRequest request, byte[] body, URI baseUrl, Duration timeout, String secret)
            throws UpstreamException {
        String where = JdkHttp.describeHost(baseUrl);
        int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try {
            return http1.exchange(request, body, timeoutMs);
        } catch (SocketTimeoutException e) { // connect, TLS handshake or response head
            throw JdkHttp.failure(UpstreamException.Kind.TIMEOUT, "no response from upstream " + where + " within "
                    + timeout.toMillis() + " ms", e, secret);
        } catch (IOException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw JdkHttp.failure(UpstreamException.Kind.CONNECT, "interrupted while waiting for upstream " + where,
                        e, secret);
            }
            throw JdkHttp.failure(UpstreamException.Kind.CONNECT, "cannot reach upstream " + where + ": "
                    + JdkHttp.rootMessage(e), e, secret);
        } catch (RuntimeException e) {
            throw JdkHttp.unsendable(baseUrl, e);
        }
    }

    /** Closes both clients' pooled connections; requests still running on the JDK client fail. */
    @Override
    public void close() {
        jdk.shutdownNow();
        http1.close();
    }
}

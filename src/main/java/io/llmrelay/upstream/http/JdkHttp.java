package io.llmrelay.upstream.http;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The conventions every HTTP upstream shares (the OpenAI-compatible one, Anthropic, Bedrock): one
 * JDK {@link HttpClient}, requests whose timeout bounds only the response head, HTTP/1.1 (no h2c
 * upgrade on plain http, no HTTP/2 on https), a POST retried once on a stale pooled connection, and
 * failures to get a head turned into {@link UpstreamException}s that name the host, never a key.
 */
public final class JdkHttp {
    private static final int MAX_CLIENT_REQUEST_ID = 512;
    /**
     * The JDK client's switch for retrying any request, POST included, once, when a pooled
     * connection fails before a single response byte came back (its internal
     * {@code ConnectionExpiredException}: the upstream closed or reset an idle kept-alive
     * connection while the client reused it). By default the JDK retries that only for GET and
     * HEAD (jdk.internal.net.http.MultiExchange, as read in JDK 25's source), so a stale connection
     * would cost the caller an error or one of the route's retries and its wait. Sent again, a chat
     * completion had not been answered at all the first time (at worst the upstream began on it and
     * bills those tokens: a chat completion changes nothing else). Read once, when the JDK's client
     * classes initialise: hence {@link #configureClients()} first thing in {@code main}.
     */
    static final String RETRY_ALL_METHODS = "jdk.httpclient.enableAllMethodRetry";

    static {
        configureClients();
    }

    private JdkHttp() {}

    /**
     * Sets the JDK client's system properties this relay relies on ({@link #RETRY_ALL_METHODS}),
     * unless the command line set them; must run before the first {@link HttpClient} sends.
     */
    public static void configureClients() {
        if (System.getProperty(RETRY_ALL_METHODS) == null) {
            System.setProperty(RETRY_ALL_METHODS, "true");
        }
    }

    /** The client an upstream uses; a client owns a connection pool, so share the instance. */
    public static HttpClient newClient() {
        return HttpClient.newBuilder()
                // HTTP/1.1 on https too: with one stream per environment HTTP/2 was no faster, warm or cold
                // (bench/ tls and coldstart, figures in bench/README.md), and one protocol means one code
                // path to warm before a SnapStart snapshot (cli.PrewarmTls) and to test.
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER) // a redirected POST would lose its body or its key
                .build();
    }

    /** A POST of {@code body} to {@code uri}, whose timeout bounds the wait for the response head only. */
    public static HttpRequest.Builder post(URI uri, byte[] body, Duration firstByteTimeout) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(firstByteTimeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            // Pinned per request: UpstreamHttp sends a request pinned to HTTP/1.1 through its own
            // blocking client on the relay's thread (plain http); https stays on the JDK client.
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        return builder;
    }

    /**
     * Builds the request, sends it and returns once the response head is in.
     *
     * @param request builds the request; building is inside the same guard as sending, because the
     *                JDK refuses a header it cannot send with an exception that quotes its value
     * @param secret  a key the request carries, replaced by *** should any message quote it; may be null
     */
    public static UpstreamResponse send(HttpClient client, Supplier<HttpRequest> request, URI baseUrl,
            Duration timeout, String secret) throws UpstreamException {
        String where = describeHost(baseUrl);
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.get(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (RuntimeException e) {
            throw unsendable(baseUrl, e);
        } catch (HttpTimeoutException e) { // also HttpConnectTimeoutException
            throw failure(UpstreamException.Kind.TIMEOUT, "no response from upstream " + where + " within "
                    + timeout.toMillis() + " ms", e, secret);
        } catch (IOException e) {
            throw failure(UpstreamException.Kind.CONNECT, "cannot reach upstream " + where + ": " + rootMessage(e),
                    e, secret);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(UpstreamException.Kind.CONNECT, "interrupted while waiting for upstream " + where, e, secret);
        }
        return new UpstreamResponse(response.statusCode(), lowerCaseNames(response.headers()), new JdkBody(response.body()));
    }

    /** {@code url} without the slashes it ends with: {@code replaceAll("/+$", "")} without compiling a regex per request. */
    public static String withoutTrailingSlashes(String url) {
        int end = url.length();
        while (end > 0 && url.charAt(end - 1) == '/') {
            end--;
        }
        return url.substring(0, end);
    }

    /** Scheme, host and port only: a base URL's path or query may carry a tenant or a token. */
    public static String describeHost(URI baseUrl) {
        String host = baseUrl.getHost() == null ? String.valueOf(baseUrl.getAuthority()) : baseUrl.getHost();
        return baseUrl.getScheme() + "://" + host + (baseUrl.getPort() >= 0 ? ":" + baseUrl.getPort() : "");
    }

    /** Whether a request id may go in a header as it is (printable ASCII, no spaces, bounded). */
    public static boolean isSafeHeaderValue(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_CLIENT_REQUEST_ID) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    /**
     * The JDK's IllegalArgumentException quotes the header it refused ("invalid header value:
     * \"Bearer <key>\""): only the class is kept, and not the exception itself as a cause, because
     * whatever prints a cause chain would print that message too. Config and key checks
     * (HttpFieldRules) keep known causes from getting here.
     */
    static UpstreamException unsendable(URI baseUrl, RuntimeException e) {
        return new UpstreamException(UpstreamException.Kind.UNSENDABLE, "the request to upstream "
                + describeHost(baseUrl) + " could not be built or sent (" + e.getClass().getName() + ")", null);
    }

    static UpstreamException failure(UpstreamException.Kind kind, String message, Throwable cause,
            String secret) {
        if (secret != null && !secret.isBlank()) {
            message = message.replace(secret, "***"); // belt and braces: no JDK message is known to echo headers
        }
        return new UpstreamException(kind, message, cause);
    }

    /** The JDK often wraps the telling exception ("Connection refused") in one with no message. */
    static String rootMessage(Throwable e) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return message != null ? message : e.getClass().getSimpleName();
    }

    private static Map<String, String> lowerCaseNames(HttpHeaders headers) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> header : headers.map().entrySet()) {
            if (header.getKey().startsWith(":")) {
                continue; // HTTP/2 pseudo-headers are not headers
            }
            names.merge(header.getKey().toLowerCase(Locale.ROOT), String.join(", ", header.getValue()),
                    (a, b) -> a + ", " + b);
        }
        return names;
    }
}

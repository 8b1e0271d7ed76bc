package io.llmrelay.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An OpenAI-compatible HTTP API: {@code POST {baseUrl}/chat/completions} over the JDK's
 * {@link HttpClient}.
 *
 * <p>The request timeout bounds only the wait for the response head: the JDK stops the timer
 * once headers arrive, which is the right shape for streaming, where a long answer may take
 * minutes but a first byte should come within seconds.
 */
public final class HttpUpstream implements Upstream {
    /** OpenAI echoes this back in its logs, which lets a support ticket name one relay request. */
    static final String CLIENT_REQUEST_ID = "X-Client-Request-Id";
    private static final int MAX_CLIENT_REQUEST_ID = 512;

    private final HttpClient client;

    /** Builds the one client this upstream uses; a client owns a connection pool, so share the instance. */
    public HttpUpstream() {
        this(HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_2) // negotiated by ALPN on https; plain http is pinned to 1.1 per request
                .followRedirects(HttpClient.Redirect.NEVER) // a redirected POST would lose its body or its key
                .build());
    }

    public HttpUpstream(HttpClient client) {
        this.client = client;
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
        String where = describeHost(request.baseUrl());
        HttpResponse<InputStream> response;
        try {
            response = client.send(toHttpRequest(request), HttpResponse.BodyHandlers.ofInputStream());
        } catch (RuntimeException e) {
            // The JDK's IllegalArgumentException quotes the header it refused ("invalid header value:
            // \"Bearer <key>\""): only the class is kept, and not the exception itself as a cause,
            // because whatever prints a cause chain would print that message too. Config and key
            // checks (HttpFieldRules) keep known causes from getting here.
            throw new UpstreamException(UpstreamException.Kind.UNSENDABLE, "the request to upstream " + where
                    + " could not be built or sent (" + e.getClass().getName() + ")", null);
        } catch (HttpTimeoutException e) { // also HttpConnectTimeoutException
            throw failure(UpstreamException.Kind.TIMEOUT, "no response from upstream " + where + " within "
                    + request.firstByteTimeout().toMillis() + " ms", e, request);
        } catch (IOException e) {
            throw failure(UpstreamException.Kind.CONNECT, "cannot reach upstream " + where + ": " + rootMessage(e),
                    e, request);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure(UpstreamException.Kind.CONNECT, "interrupted while waiting for upstream " + where, e, request);
        }
        return new UpstreamResponse(response.statusCode(), lowerCaseNames(response.headers()), response.body());
    }

    static HttpRequest toHttpRequest(UpstreamRequest request) {
        URI uri = chatCompletionsUri(request.baseUrl());
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(request.firstByteTimeout())
                .POST(HttpRequest.BodyPublishers.ofByteArray(request.body()))
                .setHeader("Content-Type", "application/json")
                .setHeader("Accept", request.stream() ? "text/event-stream" : "application/json");
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            // Over plain http the client would otherwise try an h2c upgrade, which some servers mishandle.
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        if (request.apiKey() != null && !request.apiKey().isBlank()) {
            builder.setHeader("Authorization", "Bearer " + request.apiKey());
        }
        if (isSafeHeaderValue(request.requestId())) {
            builder.setHeader(CLIENT_REQUEST_ID, request.requestId());
        }
        request.extraHeaders().forEach(builder::setHeader);
        return builder.build();
    }

    /** {@code base + "/chat/completions"} with exactly one slash between, keeping any query (Azure's api-version). */
    static URI chatCompletionsUri(URI baseUrl) {
        String base = baseUrl.toString();
        int hash = base.indexOf('#');
        if (hash >= 0) {
            base = base.substring(0, hash);
        }
        int question = base.indexOf('?');
        String path = question < 0 ? base : base.substring(0, question);
        String query = question < 0 ? "" : base.substring(question);
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return URI.create(path.substring(0, end) + "/chat/completions" + query);
    }

    /** Scheme, host and port only: a base URL's path or query may carry a tenant or a token. */
    static String describeHost(URI baseUrl) {
        String host = baseUrl.getHost() == null ? String.valueOf(baseUrl.getAuthority()) : baseUrl.getHost();
        return baseUrl.getScheme() + "://" + host + (baseUrl.getPort() >= 0 ? ":" + baseUrl.getPort() : "");
    }

    private static UpstreamException failure(UpstreamException.Kind kind, String message, Throwable cause,
            UpstreamRequest request) {
        String key = request.apiKey();
        if (key != null && !key.isBlank()) {
            message = message.replace(key, "***"); // belt and braces: no JDK message is known to echo headers
        }
        return new UpstreamException(kind, message, cause);
    }

    /** The JDK often wraps the telling exception ("Connection refused") in one with no message. */
    private static String rootMessage(Throwable e) {
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

    private static boolean isSafeHeaderValue(String value) {
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
}

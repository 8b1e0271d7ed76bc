package io.llmrelay.upstream.openai;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.http.JdkHttp;
import io.llmrelay.upstream.http.TraceHeaders;
import io.llmrelay.upstream.http.UpstreamHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;

/**
 * An OpenAI-compatible HTTP API: {@code POST {baseUrl}/chat/completions} over the JDK's
 * {@link HttpClient}.
 *
 * <p>The request timeout bounds only the wait for the response head: the JDK stops the timer
 * once headers arrive, which is the right shape for streaming, where a long answer may take
 * minutes but a first byte should come within seconds.
 */
public final class OpenAiClient implements ChatCompletionsEndpoint {
    /** OpenAI echoes this back in its logs, which lets a support ticket name one relay request. */
    static final String CLIENT_REQUEST_ID = "X-Client-Request-Id";

    private final UpstreamHttp client;

    /** Builds the one client this upstream uses; a client owns a connection pool, so share the instance. */
    public OpenAiClient() {
        this(UpstreamHttp.standard());
    }

    public OpenAiClient(UpstreamHttp client) {
        this.client = client;
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) throws UpstreamException {
        return client.send(() -> toHttpRequest(request), request.body(), request.baseUrl(), request.firstByteTimeout(),
                request.apiKey());
    }

    static HttpRequest toHttpRequest(UpstreamRequest request) {
        URI uri = chatCompletionsUri(request.baseUrl());
        HttpRequest.Builder builder = JdkHttp.post(uri, request.body(), request.firstByteTimeout())
                .setHeader("Content-Type", "application/json")
                .setHeader("Accept", request.stream() ? "text/event-stream" : "application/json");
        if (request.apiKey() != null && !request.apiKey().isBlank()) {
            builder.setHeader("Authorization", "Bearer " + request.apiKey());
        }
        if (JdkHttp.isSafeHeaderValue(request.requestId())) {
            builder.setHeader(CLIENT_REQUEST_ID, request.requestId());
        }
        TraceHeaders.of(request).forEach(builder::setHeader); // x-request-id, traceparent
        request.extraHeaders().forEach(builder::setHeader); // the route's own headers win
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
        return URI.create(JdkHttp.withoutTrailingSlashes(path) + "/chat/completions" + query);
    }

    /** Scheme, host and port only: a base URL's path or query may carry a tenant or a token. */
    static String describeHost(URI baseUrl) {
        return JdkHttp.describeHost(baseUrl);
    }
}

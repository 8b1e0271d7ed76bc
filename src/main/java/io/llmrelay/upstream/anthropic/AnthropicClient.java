package io.llmrelay.upstream.anthropic;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.http.JdkHttp;
import io.llmrelay.upstream.http.UpstreamHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;

/**
 * The Messages endpoint over HTTP (https://docs.anthropic.com/en/api/messages):
 * {@code POST {baseUrl}/messages} with {@code x-api-key}, {@code anthropic-version: 2023-06-01}
 * and {@code content-type: application/json}, through the relay's shared JDK client.
 */
public final class AnthropicClient {
    /** The API version the translation is written against (https://docs.anthropic.com/en/api/versioning). */
    public static final String VERSION = "2023-06-01";
    public static final String KEY_HEADER = "x-api-key";

    private final UpstreamHttp client;

    public AnthropicClient(UpstreamHttp client) {
        this.client = client;
    }

    /**
     * @param apiKey       sent as {@code x-api-key}; null sends none (a proxy that needs no key)
     * @param extraHeaders the route's own headers (anthropic-beta, ...); they cannot replace the ones above
     */
    public UpstreamResponse send(URI baseUrl, String apiKey, Map<String, String> extraHeaders, byte[] body,
            boolean stream, Duration firstByteTimeout) throws UpstreamException {
        return client.send(() -> {
            HttpRequest.Builder request = JdkHttp.post(messagesUri(baseUrl), body, firstByteTimeout);
            extraHeaders.forEach(request::setHeader);
            request.setHeader("content-type", "application/json")
                    .setHeader("accept", stream ? "text/event-stream" : "application/json")
                    .setHeader("anthropic-version", VERSION);
            if (apiKey != null && !apiKey.isBlank()) {
                request.setHeader(KEY_HEADER, apiKey);
            }
            return request.build();
        }, body, baseUrl, firstByteTimeout, apiKey);
    }

    /** {@code base + "/messages"}, one slash between. */
    static URI messagesUri(URI baseUrl) {
        return URI.create(JdkHttp.withoutTrailingSlashes(baseUrl.toString()) + "/messages");
    }
}

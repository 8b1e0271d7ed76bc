package io.llmrelay.config;

import io.llmrelay.keys.KeyReference;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One upstream and the models it serves.
 *
 * @param baseUrl absolute http(s) URL without a trailing slash (e.g. {@code https://api.openai.com/v1});
 *     null for {@link RouteType#DEMO}
 * @param apiKey where the upstream key lives; null for {@link RouteType#DEMO}
 * @param apiKeyHeader lower-case name of the header that carries the key: {@code authorization}
 *     means {@code Authorization: Bearer <key>}; any other name (Azure's {@code api-key}) carries the bare key
 * @param models exact model names or {@code *} globs, in config order
 * @param isDefault serves every model no other route serves, and requests without a model
 * @param upstreamModel the model name sent upstream instead of the requested one; null = pass through
 * @param headers extra headers sent upstream, in config order
 * @param dropFields top-level request fields removed before forwarding
 * @param firstByteTimeoutMs the longest wait for one attempt's response head
 * @param idleTimeoutMs the longest pause between two upstream events
 * @param retries further attempts on this route after a connection failure, 429, 502, 503 or 504,
 *     made only while nothing has been sent to the caller
 * @param retryBudgetMs the most one request may spend waiting between this route's attempts
 *     (backoff and {@code retry-after} together); a longer wait is not made
 * @param fallback names of routes tried in order once this route's own attempts have failed; their
 *     own fallbacks are not followed, so a request touches each route at most once
 * @param region the AWS region a {@link RouteType#BEDROCK} route signs for; null for other types
 * @param defaultMaxTokens the {@code max_tokens} an {@link RouteType#ANTHROPIC} route sends when the
 *     caller gives none (Anthropic requires one); 0 for other types
 * @param maxStreamSeconds the longest a stream to the caller may last, from its first event: the relay
 *     then ends it itself ({@code stream_time_limit}, then {@code [DONE]}) and closes the upstream, since on
 *     Lambda nothing tells the function that a caller has gone (README "What callers get")
 * @param hedge when and where the same request also goes if no first event has come ({@link Hedge#NONE}: never)
 * @param transform what the route changes in the caller's request ({@link RouteTransform#NONE}: nothing)
 * @param requestUsage an OpenAI-compatible route ({@link RouteType#OPENAI}, {@link RouteType#DEMO})
 *     asks its upstream for usage in streams ({@code stream_options.include_usage}) when the caller
 *     did not; false for the translated types, whose providers always report usage
 */
public record RouteConfig(
        String name,
        RouteType type,
        String baseUrl,
        KeyReference apiKey,
        String apiKeyHeader,
        List<String> models,
        boolean isDefault,
        String upstreamModel,
        Map<String, String> headers,
        List<String> dropFields,
        long firstByteTimeoutMs,
        long idleTimeoutMs,
        int retries,
        long retryBudgetMs,
        List<String> fallback,
        String region,
        int defaultMaxTokens,
        int maxStreamSeconds,
        Hedge hedge,
        RouteTransform transform,
        boolean requestUsage) {

    /**
     * Fields voice platforms add to their requests and OpenAI rejects as unknown: Vapi's
     * {@code call}, {@code phoneNumber}, {@code customer}, {@code metadata}; ElevenLabs'
     * {@code user_id} (OpenAI's own field is {@code user}) and {@code elevenlabs_extra_body}.
     */
    public static final List<String> DEFAULT_DROP_FIELDS = List.of("call", "phoneNumber", "customer", "metadata",
            "user_id", "elevenlabs_extra_body");
    public static final long DEFAULT_FIRST_BYTE_TIMEOUT_MS = 30_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;
    public static final String DEFAULT_API_KEY_HEADER = "authorization";
    /** Two more tries ride out a blip (a restarted pod, a rate-limit edge) without doubling worst-case latency much. */
    public static final int DEFAULT_RETRIES = 2;
    /** A voice caller will not wait longer than this for a retry; a longer retry-after goes to the caller (or a fallback). */
    public static final long DEFAULT_RETRY_BUDGET_MS = 5_000;
    /** Enough for any spoken answer; a caller who wants more says so with {@code max_tokens}. */
    public static final int DEFAULT_ANTHROPIC_MAX_TOKENS = 1024;
    /**
     * Template.yaml's default function timeout: on a longer timeout (up to Lambda's 900 s) a stream
     * whose caller left unnoticed still ends here. A spoken answer takes well under a minute.
     */
    public static final int DEFAULT_MAX_STREAM_SECONDS = 300;
    /** Lambda's longest invocation. */
    public static final int MAX_STREAM_SECONDS = 900;

    public RouteConfig {
        models = List.copyOf(models);
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        dropFields = List.copyOf(dropFields);
        fallback = List.copyOf(fallback);
        hedge = hedge == null ? Hedge.NONE : hedge;
        transform = transform == null ? RouteTransform.NONE : transform;
    }

    /**
     * A route with the default {@link #DEFAULT_MAX_STREAM_SECONDS}, that neither hedges nor changes the
     * request, and asks for usage exactly when its type can ({@link #requestsUsageByDefault}).
     */
    public RouteConfig(String name, RouteType type, String baseUrl, KeyReference apiKey, String apiKeyHeader,
            List<String> models, boolean isDefault, String upstreamModel, Map<String, String> headers,
            List<String> dropFields, long firstByteTimeoutMs, long idleTimeoutMs, int retries, long retryBudgetMs,
            List<String> fallback, String region, int defaultMaxTokens) {
        this(name, type, baseUrl, apiKey, apiKeyHeader, models, isDefault, upstreamModel, headers, dropFields,
                firstByteTimeoutMs, idleTimeoutMs, retries, retryBudgetMs, fallback, region, defaultMaxTokens,
                DEFAULT_MAX_STREAM_SECONDS, Hedge.NONE, RouteTransform.NONE, requestsUsageByDefault(type));
    }

    /** Whether a route of {@code type} asks for usage unless told not to: the OpenAI-compatible ones. */
    public static boolean requestsUsageByDefault(RouteType type) {
        return type == RouteType.OPENAI || type == RouteType.DEMO;
    }

    /** A route of a type that needs no provider settings (no region, no default max tokens). */
    public RouteConfig(String name, RouteType type, String baseUrl, KeyReference apiKey, String apiKeyHeader,
            List<String> models, boolean isDefault, String upstreamModel, Map<String, String> headers,
            List<String> dropFields, long firstByteTimeoutMs, long idleTimeoutMs, int retries, long retryBudgetMs,
            List<String> fallback) {
        this(name, type, baseUrl, apiKey, apiKeyHeader, models, isDefault, upstreamModel, headers, dropFields,
                firstByteTimeoutMs, idleTimeoutMs, retries, retryBudgetMs, fallback, null, 0);
    }

    /** A route with the default retries and no fallback. */
    public RouteConfig(String name, RouteType type, String baseUrl, KeyReference apiKey, String apiKeyHeader,
            List<String> models, boolean isDefault, String upstreamModel, Map<String, String> headers,
            List<String> dropFields, long firstByteTimeoutMs, long idleTimeoutMs) {
        this(name, type, baseUrl, apiKey, apiKeyHeader, models, isDefault, upstreamModel, headers, dropFields,
                firstByteTimeoutMs, idleTimeoutMs, DEFAULT_RETRIES, DEFAULT_RETRY_BUDGET_MS, List.of());
    }

    /** Whether the key goes in {@code Authorization: Bearer} (the OpenAI convention). */
    public boolean bearerAuth() {
        return DEFAULT_API_KEY_HEADER.equals(apiKeyHeader);
    }

    /** Header values are left out: someone may have put a credential there despite {@code apiKey}. */
    @Override
    public String toString() {
        return "RouteConfig[name=" + name + ", type=" + type.configName() + ", baseUrl=" + baseUrl
                + ", apiKey=" + apiKey + ", apiKeyHeader=" + apiKeyHeader + ", models=" + models
                + ", isDefault=" + isDefault + ", upstreamModel=" + upstreamModel
                + ", headers=" + headers.keySet() + ", dropFields=" + dropFields
                + ", firstByteTimeoutMs=" + firstByteTimeoutMs + ", idleTimeoutMs=" + idleTimeoutMs
                + ", retries=" + retries + ", retryBudgetMs=" + retryBudgetMs + ", fallback=" + fallback
                + ", region=" + region + ", defaultMaxTokens=" + defaultMaxTokens
                + ", maxStreamSeconds=" + maxStreamSeconds + ", hedge=" + hedge
                + ", transform=" + (transform.isEmpty() ? "none" : "set") + ", requestUsage=" + requestUsage + "]";
    }
}

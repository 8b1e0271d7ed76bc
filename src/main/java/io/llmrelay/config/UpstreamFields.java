package io.llmrelay.config;

import io.llmrelay.keys.KeyReference;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The part of a route that says how to reach its upstream, which depends on its type:
 *
 * <pre>
 * field            openai         anthropic                          bedrock                                   demo
 * baseUrl          required       https://api.anthropic.com/v1       https://bedrock-runtime.{region}...       not allowed
 * apiKey           optional (*)   required with the default baseUrl  not allowed (SigV4, function's role)      not allowed
 * apiKeyHeader     authorization  not allowed (always x-api-key)     not allowed                               not allowed
 *
 * (*) a keyless upstream (Ollama, vLLM, llama.cpp's server) gets no key header at all; apiKeyHeader
 *     without an apiKey is refused, since it would carry nothing.
 * headers          optional       optional                           optional (no x-amz-*)                     not allowed
 * region           not allowed    not allowed                        required                                  not allowed
 * defaultMaxTokens not allowed    1024                               not allowed                               not allowed
 * </pre>
 */
final class UpstreamFields {
    static final String ANTHROPIC_BASE_URL = "https://api.anthropic.com/v1";
    /** Anthropic takes its key in this header, bare (https://docs.anthropic.com/en/api/overview). */
    static final String ANTHROPIC_KEY_HEADER = "x-api-key";
    /** AWS region names: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5 ... */
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-[0-9]+");
    /** Anthropic: the relay's translation is written for this version; the key has its own field. */
    private static final Set<String> RESERVED_ANTHROPIC = Set.of("anthropic-version", ANTHROPIC_KEY_HEADER);
    /** Largest max_tokens any Claude model takes today is far below this; beyond it is a typo. */
    private static final int MAX_DEFAULT_MAX_TOKENS = 1_000_000;

    /** What a route's type-dependent fields came to; absent (null, 0) where its type has no use for them. */
    record Upstream(String baseUrl, KeyReference apiKey, String apiKeyHeader, Map<String, String> headers,
            String region, int defaultMaxTokens) {}

    private UpstreamFields() {}

    static Upstream read(Fields fields, RouteType type) {
        for (String field : List.of("baseUrl", "apiKey", "apiKeyHeader", "headers", "region", "defaultMaxTokens")) {
            if (fields.has(field) && !allowed(type, field)) {
                fields.problems().add(fields.path(field), "is not used by a route of type \"" + type.configName() + "\""
                        + (type == RouteType.BEDROCK && field.startsWith("apiKey")
                                ? ": requests are signed with the function's AWS credentials (SigV4), no key is stored" : ""));
            }
        }
        return switch (type) {
            case DEMO -> new Upstream(null, null, RouteConfig.DEFAULT_API_KEY_HEADER, Map.of(), null, 0);
            case OPENAI -> {
                String header = RouteHeaders.apiKeyHeader(fields);
                KeyReference apiKey = apiKey(fields, false);
                if (fields.has("apiKeyHeader") && !fields.has("apiKey")) {
                    fields.problems().add(fields.path("apiKeyHeader"), "has no key to carry: set apiKey as well, or leave"
                            + " both out for an upstream that takes no key");
                }
                yield new Upstream(baseUrl(fields, true, "/chat/completions"), apiKey, header,
                        headers(fields, header, name -> false), null, 0);
            }
            case ANTHROPIC -> anthropic(fields);
            case BEDROCK -> bedrock(fields);
        };
    }

    private static boolean allowed(RouteType type, String field) {
        return switch (type) {
            case DEMO -> false;
            case OPENAI -> !field.equals("region") && !field.equals("defaultMaxTokens");
            case ANTHROPIC -> !field.equals("region") && !field.equals("apiKeyHeader");
            case BEDROCK -> !field.startsWith("apiKey") && !field.equals("defaultMaxTokens");
        };
    }

    private static Upstream anthropic(Fields fields) {
        String baseUrl = baseUrl(fields, false, "/messages");
        // Anthropic's own API always needs a key; a proxy at another baseUrl may not.
        KeyReference apiKey = apiKey(fields, !fields.has("baseUrl"));
        int maxTokens = (int) fields.wholeNumber("defaultMaxTokens", RouteConfig.DEFAULT_ANTHROPIC_MAX_TOKENS, 1,
                MAX_DEFAULT_MAX_TOKENS, "tokens");
        return new Upstream(baseUrl != null ? baseUrl : ANTHROPIC_BASE_URL, apiKey, ANTHROPIC_KEY_HEADER,
                headers(fields, ANTHROPIC_KEY_HEADER, RESERVED_ANTHROPIC::contains), null, maxTokens);
    }

    private static Upstream bedrock(Fields fields) {
        String region = fields.string("region", true);
        if (region != null && !REGION.matcher(region).matches()) {
            fields.problems().add(fields.path("region"), "must be an AWS region name such as us-east-1");
            region = null;
        }
        String baseUrl = baseUrl(fields, false, "/model/{modelId}/converse-stream");
        if (baseUrl == null && region != null) {
            // https://docs.aws.amazon.com/general/latest/gr/bedrock.html (China regions end in .com.cn)
            baseUrl = "https://bedrock-runtime." + region + ".amazonaws.com" + (region.startsWith("cn-") ? ".cn" : "");
        }
        return new Upstream(baseUrl, null, RouteConfig.DEFAULT_API_KEY_HEADER,
                headers(fields, RouteConfig.DEFAULT_API_KEY_HEADER, name -> name.startsWith("x-amz-")), region, 0);
    }

    /** @param appended what the relay appends to it, for the error that says why a query is not allowed */
    private static String baseUrl(Fields fields, boolean required, String appended) {
        String text = fields.string("baseUrl", required);
        if (text == null) {
            return null;
        }
        String problem = null;
        URI uri = null;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            problem = "must be an absolute http(s) URL";
        }
        if (uri != null) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                problem = "must be an absolute http(s) URL";
            } else if (uri.getRawUserInfo() != null) {
                // Not echoed: the user-info part is a credential.
                problem = "must not contain credentials (user:password@); put the key in apiKey";
            } else if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                problem = "must not have a query or fragment: the relay appends " + appended + " to it";
            }
        }
        if (problem != null) {
            fields.problems().add(fields.path("baseUrl"), problem);
            return null;
        }
        // Without the trailing slash, so that appending a path never doubles it.
        return text.strip().replaceAll("/+$", "");
    }

    private static KeyReference apiKey(Fields fields, boolean required) {
        String text = fields.string("apiKey", required);
        if (text == null) {
            return null;
        }
        try {
            return KeyReference.parse(text);
        } catch (IllegalArgumentException e) {
            fields.problems().add(fields.path("apiKey"), e.getMessage());
            return null;
        }
    }

    /** @param alsoReserved header names (lower case) the relay sets itself for this type, besides the general ones */
    private static Map<String, String> headers(Fields fields, String apiKeyHeader, Predicate<String> alsoReserved) {
        return RouteHeaders.headers(fields, apiKeyHeader, alsoReserved);
    }
}

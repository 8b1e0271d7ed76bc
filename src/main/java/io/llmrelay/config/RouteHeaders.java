package io.llmrelay.config;

import io.llmrelay.upstream.http.HttpFieldRules;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A route's {@code apiKeyHeader} and {@code headers}, checked against what the upstream request
 * can carry ({@link HttpFieldRules}: the JDK client's own rules), so that a header the client
 * would refuse stops the relay at start-up, naming the field, instead of failing every request
 * with an exception that quotes the value. Values are never quoted here either.
 */
final class RouteHeaders {
    /** The relay sets these on every upstream request; a config must not override them. */
    private static final Set<String> SET_BY_RELAY = Set.of("authorization", "content-type", "transfer-encoding",
            "host", "content-length", "connection");

    private RouteHeaders() {}

    /** The lower-case name of the header that carries the key; the default when absent or wrong (reported). */
    static String apiKeyHeader(Fields fields) {
        String text = fields.string("apiKeyHeader", false);
        if (text == null) {
            return RouteConfig.DEFAULT_API_KEY_HEADER;
        }
        String lower = text.toLowerCase(Locale.ROOT);
        if (!HttpFieldRules.isToken(text)) {
            fields.problems().add(fields.path("apiKeyHeader"), "must be an HTTP header name");
            return RouteConfig.DEFAULT_API_KEY_HEADER;
        }
        if (!lower.equals(RouteConfig.DEFAULT_API_KEY_HEADER)
                && (SET_BY_RELAY.contains(lower) || HttpFieldRules.RESTRICTED_NAMES.contains(lower))) {
            fields.problems().add(fields.path("apiKeyHeader"), "must be a header the relay does not set itself"
                    + " and the HTTP client lets a request set (not Host, Content-Length, Content-Type,"
                    + " Transfer-Encoding, Connection, Expect or Upgrade)");
            return RouteConfig.DEFAULT_API_KEY_HEADER;
        }
        return lower;
    }

    /** The extra headers in config order; each bad one is reported (by name, never by value) and left out. */
    static Map<String, String> headers(Fields fields, String apiKeyHeader) {
        return headers(fields, apiKeyHeader, name -> false);
    }

    /**
     * As {@link #headers(Fields, String)}, also refusing the names {@code alsoSetByRelay} accepts
     * (lower case): headers a route type sets itself, such as Anthropic's {@code anthropic-version}.
     */
    static Map<String, String> headers(Fields fields, String apiKeyHeader, Predicate<String> alsoSetByRelay) {
        Map<String, String> given = fields.stringMap("headers");
        if (given == null) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        given.forEach((name, value) -> {
            String path = fields.path("headers") + "[\"" + (HttpFieldRules.isToken(name) ? name : "?") + "\"]";
            Optional<String> problem = problem(name, value, apiKeyHeader, alsoSetByRelay);
            if (problem.isEmpty() && !seen.add(name.toLowerCase(Locale.ROOT))) {
                problem = Optional.of("is given twice (header names ignore case)");
            }
            if (problem.isPresent()) {
                fields.problems().add(path, problem.get());
            } else {
                result.put(name, value);
            }
        });
        return result;
    }

    private static Optional<String> problem(String name, String value, String apiKeyHeader,
            Predicate<String> alsoSetByRelay) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!HttpFieldRules.isToken(name)) {
            return Optional.of("is not a valid HTTP header name");
        }
        if (lower.equals(apiKeyHeader) || lower.equals(RouteConfig.DEFAULT_API_KEY_HEADER)) {
            return Optional.of("is set by the relay from apiKey; do not put a key in headers");
        }
        if (SET_BY_RELAY.contains(lower) || alsoSetByRelay.test(lower)) {
            return Optional.of("is set by the relay and cannot be overridden");
        }
        if (!HttpFieldRules.isSendableName(name)) {
            return Optional.of("is a header the relay's HTTP client (java.net.http) does not let a request set");
        }
        return HttpFieldRules.valueProblem(value).map(why -> "must be a valid HTTP header value: it " + why);
    }
}

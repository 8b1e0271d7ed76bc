package io.llmrelay.metrics;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Random;

/**
 * Random request outcomes of every kind the relay ends with: successes, the relay's own refusals,
 * upstream errors passed through (with the upstream's own codes, sane or not), errors inside a
 * stream, callers hanging up, retries and fallbacks, usage known or not, and names a caller made
 * up: quotes, line breaks, control characters, lone surrogates, 100 KB, and text shaped like a key.
 * Every made-up string holds {@link #MARKER}, so a test can tell whether any of it reached a line.
 */
final class OutcomeGenerator {
    static final String MARKER = "HOSTILE";
    static final String KEY_LIKE = "sk-live-SECRET0123456789abcdef";

    static final List<String> ROUTES = List.of("openai", "claude", "demo");
    static final List<String> CALLERS = List.of("vapi", "simli");
    /** Models the test config lists exactly and CloudWatch can take as dimension values. */
    static final List<String> LISTED_PUBLISHABLE = List.of("gpt-4o-mini", "claude-sonnet-4-5", "relay-demo",
            "ft:gpt-4o:acme:\"quoted\"\\path");
    /** Listed exactly too, but no CloudWatch dimension value: non-ASCII, and over 1024 characters. */
    static final String LISTED_CYRILLIC = "\u043c\u043e\u0434\u0435\u043b\u044c";
    static final String LISTED_LONG = "m".repeat(1100);
    /** Served through a glob or the default route, so not listed exactly. */
    static final List<String> GLOB_MATCHED = List.of("gpt-4o-2024-08-06", "claude-3-haiku", "gpt-5");
    static final List<String> RELAY_CODES = List.of("invalid_api_key", "model_not_found", "unknown_url",
            "method_not_allowed", "request_too_large", "upstream_unavailable", "upstream_timeout",
            "deadline_exceeded", "upstream_invalid_response", "upstream_key_unavailable", "internal_error",
            "config_unavailable", "upstream_authentication_failed", "upstream_permission_denied",
            "rate_limit_exceeded", "upstream_error", "invalid_request_error", "api_error");
    static final List<String> UPSTREAM_CODES = List.of("insufficient_quota", "context_length_exceeded",
            "server_error", "overloaded_error");
    private static final int[] ERROR_STATUSES = {400, 401, 403, 404, 405, 413, 429, 500, 502, 503, 504};

    private final Random random;
    private int hostile;

    OutcomeGenerator(Random random) {
        this.random = random;
    }

    RequestOutcome next() {
        String route = pick(4) == 0 ? null : pick(5) == 0 ? hostileText() : ROUTES.get(pick(ROUTES.size()));
        String caller = pick(4) == 0 ? null : pick(5) == 0 ? hostileText() : CALLERS.get(pick(CALLERS.size()));
        int kind = pick(6);
        int status = kind == 0 || kind >= 4 ? 200 : ERROR_STATUSES[pick(ERROR_STATUSES.length)];
        String code = switch (kind) {
            case 1 -> RELAY_CODES.get(pick(RELAY_CODES.size()));
            case 2 -> pick(3) == 0 ? hostileText() : UPSTREAM_CODES.get(pick(UPSTREAM_CODES.size()));
            case 3 -> pick(2) == 0 ? null : "upstream_error"; // a failure whose body had no code, or had one
            case 4 -> pick(2) == 0 ? "upstream_timeout" : hostileText(); // an error event inside a stream
            case 5 -> ErrorCodes.CALLER_DISCONNECTED;
            default -> null;
        };
        boolean firstByte = status == 200 || pick(3) == 0;
        return new RequestOutcome(requestId(), route, model(), caller, status, code,
                firstByte ? time() : OptionalDouble.empty(), pick(50) == 0 ? Double.NaN : 1 + random.nextDouble() * 30_000,
                tokens(), tokens(), pick(30) == 0 ? -1 : pick(11), pick(4)
        );
    }

    /** Lambda's request ids are UUIDs; one that is not must be left off rather than echoed. */
    private String requestId() {
        return switch (pick(10)) {
            case 0 -> null;
            case 1 -> "not an id\"\n" + MARKER;
            default -> "7c9e6679-7425-40de-944b-e07fc1f90ae" + pick(10);
        };
    }

    /** How many made-up strings went into outcomes so far. */
    int hostileCount() {
        return hostile;
    }

    private String model() {
        return switch (pick(9)) {
            case 0 -> null;
            case 1 -> "";
            case 2, 3 -> LISTED_PUBLISHABLE.get(pick(LISTED_PUBLISHABLE.size()));
            case 4 -> GLOB_MATCHED.get(pick(GLOB_MATCHED.size()));
            case 5 -> pick(2) == 0 ? LISTED_CYRILLIC : LISTED_LONG;
            default -> hostileText();
        };
    }

    private OptionalDouble time() {
        return switch (pick(20)) {
            case 0 -> OptionalDouble.of(Double.NaN);
            case 1 -> OptionalDouble.of(-5);
            case 2 -> OptionalDouble.of(Double.POSITIVE_INFINITY);
            default -> OptionalDouble.of(random.nextDouble() * 5_000);
        };
    }

    private OptionalLong tokens() {
        return pick(3) == 0 ? OptionalLong.empty() : OptionalLong.of(random.nextInt(200_000));
    }

    /** Text a caller (or an upstream) could send, always holding {@link #MARKER}. */
    String hostileText() {
        hostile++;
        String[] pieces = {"\"", "\\", "\n", "\r\n", "\t", "\u0000", "\u2028", "\ud800", "\udfff", "\ud83d\ude00",
                "</script>", "\",\"Route\":\"x", "{\"_aws\":{}}", " ", "caf\u00e9", KEY_LIKE, "gpt-4o-mini", "AWS/"};
        StringBuilder text = new StringBuilder();
        for (int n = pick(6); n >= 0; n--) {
            text.append(pieces[pick(pieces.length)]);
        }
        if (pick(40) == 0) {
            text.append("x".repeat(100 * 1024)); // 100 KB
        }
        return random.nextBoolean() ? MARKER + text : text + MARKER;
    }

    private int pick(int bound) {
        return random.nextInt(bound);
    }
}

package io.llmrelay.relay.route;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyUnavailableException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.watch.Deadline;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * A route's upstream key for one request: resolved within the invocation's deadline (a key store
 * that hangs must not hold the invocation past it), and put where the route sends it.
 */
public final class RouteKey {
    private RouteKey() {}

    /**
     * What one upstream request carries for this route.
     *
     * @param key        the resolved key, or null for a route without one
     * @param bearerKey  the key to send as {@code Authorization: Bearer}, or null
     * @param headers    the route's headers, plus the bare key under {@code apiKeyHeader} when the route says so
     */
    public record Placed(String key, String bearerKey, Map<String, String> headers) {}

    /** The key could not be had: the error for the caller and, for the request log, why. */
    public static final class Unavailable extends Exception {
        private final OpenAiError error;
        private final boolean deadlinePassed;
        private final String outcome;

        private Unavailable(OpenAiError error, boolean deadlinePassed, String outcome, String detail) {
            super(detail, null, false, false);
            this.error = error;
            this.deadlinePassed = deadlinePassed;
            this.outcome = outcome;
        }

        /** The caller's error; null when the deadline passed (the caller then gets the relay's deadline error). */
        public OpenAiError error() {
            return error;
        }

        public boolean deadlinePassed() {
            return deadlinePassed;
        }

        /** The attempt's outcome in the request log. */
        public String outcome() {
            return outcome;
        }

        /** Why, in the resolver's safe words (names the route and the reference, never the key). */
        public String detail() {
            return getMessage();
        }
    }

    public static Placed resolve(KeyResolver keys, RouteConfig route, Deadline deadline) throws Unavailable {
        Map<String, String> headers = new LinkedHashMap<>(route.headers());
        if (route.apiKey() == null) {
            return new Placed(null, null, headers);
        }
        String key;
        try {
            key = deadline.known()
                    ? keys.resolve(route.name(), route.apiKey(), Duration.ofMillis(Math.max(0, deadline.millisLeft())))
                    : keys.resolve(route.name(), route.apiKey());
        } catch (TimeoutException e) {
            throw new Unavailable(null, true, "key_timeout", "route '" + route.name()
                    + "': the key was not resolved before the invocation's deadline");
        } catch (KeyUnavailableException e) {
            // The caller learns which route and, only where it is the caller's business, why;
            // the request log gets the resolver's whole (safe) reason.
            OpenAiError error = e.callerReason()
                    .map(why -> OpenAiError.keyUnavailable(route.name(), why))
                    .orElseGet(() -> OpenAiError.keyUnavailable(route.name()));
            throw new Unavailable(error, false, "key_unavailable", e.getMessage());
        }
        if (route.bearerAuth()) {
            return new Placed(key, key, headers);
        }
        headers.put(route.apiKeyHeader(), key);
        return new Placed(key, null, headers);
    }
}

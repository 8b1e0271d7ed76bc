package io.llmrelay.config;

/**
 * Where the handler gets its configuration for each request: fixed at start-up (environment,
 * file) or re-read on a TTL (a Secrets Manager secret), so callers and routes can change
 * without a redeploy.
 */
@FunctionalInterface
public interface ConfigSource {
    /** The configuration in force now; may throw {@link ConfigException} or fail to reach its store. */
    RelayConfig current() throws ConfigUnavailableException;

    static ConfigSource fixed(RelayConfig config) {
        return () -> config;
    }

    /** The configuration could not be read (for example its secret is unreachable). */
    final class ConfigUnavailableException extends Exception {
        public ConfigUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

package io.llmrelay.keys;

/**
 * A route's upstream key cannot be had right now. The message names the route and the reference
 * (safe to show to operators) but never the key.
 */
public final class KeyUnavailableException extends Exception {
    public KeyUnavailableException(String message) {
        super(message);
    }

    public KeyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

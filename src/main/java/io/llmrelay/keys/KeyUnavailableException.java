package io.llmrelay.keys;

import java.util.Optional;

/**
 * A route's upstream key cannot be had right now. The message names the route and the reference
 * (safe to show to operators) but never the key.
 */
public final class KeyUnavailableException extends Exception {
    private final String callerReason;

    public KeyUnavailableException(String message) {
        this(message, null, null);
    }

    public KeyUnavailableException(String message, Throwable cause) {
        this(message, cause, null);
    }

    /**
     * @param callerReason why, in words a caller may read as well (no reference, no store name, never
     *     the key), e.g. {@code "it contains a character not allowed in an HTTP header value (U+200B)"};
     *     null when only operators should learn why
     */
    public KeyUnavailableException(String message, Throwable cause, String callerReason) {
        super(message, cause);
        this.callerReason = callerReason;
    }

    /** Why, for the caller's error message; empty when the reason is for operators only (the request log). */
    public Optional<String> callerReason() {
        return Optional.ofNullable(callerReason);
    }
}

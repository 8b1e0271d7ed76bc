package io.llmrelay.upstream;

/**
 * No response head came back from the upstream. Messages name the upstream's host but never
 * the API key, so they are safe to log and to show the caller.
 */
public final class UpstreamException extends Exception {

    /** Why no response arrived: the relay answers 504 for a timeout, 502 otherwise. */
    public enum Kind {
        /** Unreachable: refused, unresolvable, TLS failure, connection lost before the head. */
        CONNECT,
        /** Reachable or not, nothing arrived within the first-byte timeout. */
        TIMEOUT,
        /**
         * The request could not be built or sent at all (the HTTP client refused a value, or
         * failed unexpectedly): the same request would fail the same way, so it is not retried.
         */
        UNSENDABLE
    }

    private final Kind kind;

    public UpstreamException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}

package io.llmrelay.upstream;

/**
 * No response head came back from the upstream. Messages name the upstream's host but never
 * the API key, so they are safe to log and to show the caller.
 */
public final class UpstreamException extends Exception {

    /** Why no response arrived; the relay answers 502 for one and 504 for the other. */
    public enum Kind {
        /** Unreachable: refused, unresolvable, TLS failure, connection lost before the head. */
        CONNECT,
        /** Reachable or not, nothing arrived within the first-byte timeout. */
        TIMEOUT
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

package io.llmrelay.secrets;

/**
 * The scrub of one input was given up because the invocation reached its deadline. The input
 * must then not be sent at all: only what was scrubbed whole is safe to send.
 */
public final class ScrubTimeoutException extends Exception {
    public ScrubTimeoutException() {
        super("the answer could not be checked for keys before the invocation's deadline", null, false, false);
    }
}

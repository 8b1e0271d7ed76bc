package io.llmrelay.keys;

/**
 * Why a key store (KMS, Secrets Manager) could not produce a key, attached as the cause of a
 * {@link KeyUnavailableException}. Its message is the relay's own safe wording (never a key, a
 * ciphertext or an SDK message quoting a payload), and it tells the cache whether the failure may
 * pass by itself.
 */
public final class KeySourceFailure extends Exception {
    private final boolean transientFailure;

    public KeySourceFailure(String message, boolean transientFailure) {
        super(message, null, false, true);
        this.transientFailure = transientFailure;
    }

    /**
     * True for throttling, server errors and no answer; false for a definite refusal (access denied,
     * not found, a ciphertext that is not for this route), after which a cached key must be dropped.
     */
    public boolean isTransient() {
        return transientFailure;
    }

    /** Whether {@code e} was caused by a failure that may pass by itself. */
    public static boolean isTransient(KeyUnavailableException e) {
        return e.getCause() instanceof KeySourceFailure failure && failure.isTransient();
    }
}

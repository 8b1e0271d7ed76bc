package io.llmrelay.keys;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Key loads on a thread of their own, so that a request with a deadline can stop waiting for a
 * key store that hangs (a KMS call the SDK gives up on only after its own timeouts) and answer in
 * time. The load itself goes on; whoever asks next waits for the same load, bounded in turn.
 */
final class KeyLoads {
    /** A resolution that may fail with a key-unavailable reason. */
    @FunctionalInterface
    interface Load {
        String load() throws KeyUnavailableException;
    }

    private KeyLoads() {}

    /** Runs {@code task} on a new daemon thread: loads are rare (once per TTL per route), so no pool. */
    static void start(Runnable task) {
        Thread thread = new Thread(task, "llm-relay-key-load");
        thread.setDaemon(true);
        // Waiters were already told the load was aborted; an Error's message is not printed in case it holds key material.
        thread.setUncaughtExceptionHandler((t, e) -> System.err.println("llm-relay: a key load ended with "
                + e.getClass().getName()));
        thread.start();
    }

    /** {@code load} on a thread of its own; a runtime exception becomes a failure that names only its class. */
    static CompletableFuture<String> start(String routeName, KeyReference ref, Load load) {
        CompletableFuture<String> result = new CompletableFuture<>();
        start(() -> {
            try {
                result.complete(load.load());
            } catch (KeyUnavailableException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(unexpected(routeName, ref, e));
            } finally {
                result.completeExceptionally(new KeyUnavailableException("route '" + routeName + "': resolving "
                        + ref + " was aborted"));
            }
        });
        return result;
    }

    /** Only the class: an unexpected exception's message is not known to be free of key material. */
    static KeyUnavailableException unexpected(String routeName, KeyReference ref, RuntimeException e) {
        return new KeyUnavailableException("route '" + routeName + "': resolving " + ref
                + " failed unexpectedly (" + e.getClass().getName() + ")");
    }

    /**
     * The load's key, waiting at most {@code maxWait} (null: as long as it takes).
     *
     * @throws TimeoutException when the wait ended first; the load goes on
     */
    static String await(String routeName, CompletableFuture<String> load, Duration maxWait)
            throws KeyUnavailableException, TimeoutException {
        try {
            return maxWait == null ? load.get() : load.get(nanos(maxWait), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyUnavailableException("route '" + routeName + "': interrupted while waiting for the key");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KeyUnavailableException unavailable) {
                throw unavailable;
            }
            throw new KeyUnavailableException("route '" + routeName + "': resolving the key failed unexpectedly");
        }
    }

    /** Saturating: a wait longer than ~292 years is as good as no limit, and must not overflow into none. */
    private static long nanos(Duration wait) {
        if (wait.isNegative()) {
            return 0;
        }
        try {
            return wait.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}

package io.llmrelay.keys;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * Turns a route's {@link KeyReference} into the upstream API key. One interface for every source
 * so that KMS, Secrets Manager and a TTL cache can be stacked later without touching callers.
 */
public interface KeyResolver {

    /**
     * @param routeName only for error messages, so an operator knows which route is broken
     * @return the key, never null or empty
     */
    String resolve(String routeName, KeyReference ref) throws KeyUnavailableException;

    /**
     * As {@link #resolve(String, KeyReference)}, waiting at most {@code maxWait}: a request has a
     * deadline, and a key store that hangs must not hold it past. Only the wait is bounded; the
     * resolution runs on a thread of its own and may finish later. This default starts a thread
     * per call; {@link CachingKeyResolver} answers from its cache without one.
     *
     * @throws TimeoutException when {@code maxWait} passed before the key came
     */
    default String resolve(String routeName, KeyReference ref, Duration maxWait)
            throws KeyUnavailableException, TimeoutException {
        return KeyLoads.await(routeName, KeyLoads.start(routeName, ref, () -> resolve(routeName, ref)), maxWait);
    }
}

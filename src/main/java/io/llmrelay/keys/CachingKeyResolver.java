package io.llmrelay.keys;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * Keeps resolved keys in memory for a TTL, per (route, reference), so that a request pays for KMS
 * or Secrets Manager at most once per TTL and never on the way to most first tokens.
 *
 * <ul>
 *   <li>Concurrent first uses resolve once: the first caller loads, the others wait for its result.
 *   <li>An expired key is refreshed by the next request; requests arriving during that refresh get
 *       the old key at once rather than queueing behind KMS.
 *   <li>If the refresh fails transiently (throttling, server error, no answer) the old key keeps
 *       being served for up to {@code staleGrace} past its expiry, retried at most every
 *       {@link #RETRY_INTERVAL}; a definite refusal (access denied, not found, a ciphertext moved
 *       to another route) drops it at once, because an administrator may have revoked it.
 *   <li>Failures are not cached: the next request tries again.
 *   <li>Nothing is resolved before first use, so no key sits in a SnapStart snapshot.
 * </ul>
 *
 * A stream in flight is never affected by any of this: it holds the key string it started with.
 * Keys appear in no log, exception message or {@code toString}.
 */
public final class CachingKeyResolver implements KeyResolver {
    /** How long a key may be served past its TTL while its store fails transiently. */
    public static final Duration DEFAULT_STALE_GRACE = Duration.ofMinutes(15);
    /** While serving a stale key, how often a request tries the store again (capped by the TTL). */
    public static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);

    private final KeyResolver delegate;
    private final Duration ttl;
    private final Duration staleGrace;
    private final Duration retryInterval;
    private final InstantSource clock;
    private final Map<Slot.Id, Slot> slots = new ConcurrentHashMap<>();

    public CachingKeyResolver(KeyResolver delegate, Duration ttl) {
        this(delegate, ttl, DEFAULT_STALE_GRACE, InstantSource.system());
    }

    public CachingKeyResolver(KeyResolver delegate, Duration ttl, Duration staleGrace, InstantSource clock) {
        if (ttl.isNegative() || staleGrace.isNegative()) {
            throw new IllegalArgumentException("ttl and staleGrace must not be negative");
        }
        this.delegate = delegate;
        this.ttl = ttl;
        this.staleGrace = staleGrace;
        this.retryInterval = ttl.compareTo(RETRY_INTERVAL) < 0 ? ttl : RETRY_INTERVAL;
        this.clock = clock;
    }

    @Override
    public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
        Slot slot = slots.computeIfAbsent(new Slot.Id(routeName, ref), id -> new Slot());
        CompletableFuture<String> load;
        boolean leader = false;
        synchronized (slot) {
            Instant now = clock.instant();
            if (slot.key != null) {
                Instant expires = slot.loadedAt.plus(ttl);
                if (now.isBefore(expires)) {
                    return slot.key;
                }
                boolean staleUsable = now.isBefore(expires.plus(staleGrace));
                boolean waitToRetry = slot.retryAfter != null && now.isBefore(slot.retryAfter);
                if (staleUsable && (slot.loading != null || waitToRetry)) {
                    return slot.key;
                }
                if (!staleUsable) {
                    slot.key = null;
                }
            }
            if (slot.loading == null) {
                slot.loading = new CompletableFuture<>();
                leader = true;
            }
            load = slot.loading;
        }
        return leader ? load(slot, routeName, ref, load) : await(routeName, load);
    }

    private String load(Slot slot, String routeName, KeyReference ref, CompletableFuture<String> load)
            throws KeyUnavailableException {
        String fresh = null;
        KeyUnavailableException failure = null;
        try {
            fresh = delegate.resolve(routeName, ref);
            if (fresh == null || fresh.isEmpty()) {
                failure = new KeyUnavailableException("route '" + routeName + "': " + ref + " resolved to an empty key");
            }
        } catch (KeyUnavailableException e) {
            failure = e;
        } catch (RuntimeException e) {
            // Only the class: an unexpected exception's message is not known to be free of key material.
            failure = new KeyUnavailableException("route '" + routeName + "': resolving " + ref
                    + " failed unexpectedly (" + e.getClass().getName() + ")");
        } finally {
            if (fresh == null && failure == null) {
                // An Error is on its way up: release the waiters before it goes.
                failure = new KeyUnavailableException("route '" + routeName + "': resolving " + ref + " was aborted");
                finish(slot, load, null, failure);
            }
        }
        String result = finish(slot, load, fresh, failure);
        if (result == null) {
            throw failure;
        }
        return result;
    }

    /** Records the outcome and wakes the waiters; returns the key to use, or null to fail with {@code failure}. */
    private String finish(Slot slot, CompletableFuture<String> load, String fresh, KeyUnavailableException failure) {
        String result;
        synchronized (slot) {
            if (slot.loading != load) {
                return null; // already finished (the Error path above)
            }
            slot.loading = null;
            Instant now = clock.instant();
            if (failure == null) {
                slot.key = fresh;
                slot.loadedAt = now;
                slot.retryAfter = null;
                result = fresh;
            } else if (slot.key != null && KeySourceFailure.isTransient(failure)
                    && now.isBefore(slot.loadedAt.plus(ttl).plus(staleGrace))) {
                slot.retryAfter = now.plus(retryInterval);
                result = slot.key;
            } else {
                slot.key = null;
                slot.retryAfter = null;
                result = null;
            }
        }
        if (result != null) {
            load.complete(result);
        } else {
            load.completeExceptionally(failure);
        }
        return result;
    }

    private static String await(String routeName, CompletableFuture<String> load) throws KeyUnavailableException {
        try {
            return load.get();
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

    /** One cache entry; all fields guarded by the slot's monitor. Deliberately no toString beyond Object's. */
    private static final class Slot {
        record Id(String routeName, KeyReference ref) {}

        String key;
        Instant loadedAt;
        Instant retryAfter;
        CompletableFuture<String> loading;
    }
}

package io.llmrelay.keys;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * Keeps resolved keys in memory for a TTL, per (route, reference), so that a request pays for KMS
 * or Secrets Manager at most once per TTL and never on the way to most first tokens.
 *
 * <ul>
 *   <li>Concurrent first uses resolve once: the first caller loads, the others wait for its result.
 *       With a wait limit ({@link #resolve(String, KeyReference, Duration)}, a request's deadline)
 *       the load runs on a thread of its own and no request waits for it longer than its limit.
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
        Lookup lookup = lookup(routeName, ref);
        if (lookup.key() != null) {
            return lookup.key();
        }
        if (lookup.leader()) {
            load(lookup.slot(), routeName, ref, lookup.load()); // here, on the caller's thread: no wait to bound
        }
        try {
            return KeyLoads.await(routeName, lookup.load(), null);
        } catch (TimeoutException impossible) {
            throw new IllegalStateException("an unbounded wait timed out", impossible);
        }
    }

    /**
     * As {@link #resolve(String, KeyReference)}, but a load runs on a thread of its own and every
     * request (the one that started it and those that arrived during it) waits for it at most
     * {@code maxWait}. A hit costs no thread.
     */
    @Override
    public String resolve(String routeName, KeyReference ref, Duration maxWait)
            throws KeyUnavailableException, TimeoutException {
        Lookup lookup = lookup(routeName, ref);
        if (lookup.key() != null) {
            return lookup.key();
        }
        if (lookup.leader()) {
            KeyLoads.start(() -> load(lookup.slot(), routeName, ref, lookup.load()));
        }
        return KeyLoads.await(routeName, lookup.load(), maxWait);
    }

    /** A usable key at once, or the load to wait for (and whether this request must start it). */
    private record Lookup(String key, Slot slot, CompletableFuture<String> load, boolean leader) {}

    private Lookup lookup(String routeName, KeyReference ref) {
        Slot slot = slots.computeIfAbsent(new Slot.Id(routeName, ref), id -> new Slot());
        synchronized (slot) {
            Instant now = clock.instant();
            if (slot.key != null) {
                Instant expires = slot.loadedAt.plus(ttl);
                if (now.isBefore(expires)) {
                    return new Lookup(slot.key, slot, null, false);
                }
                boolean staleUsable = now.isBefore(expires.plus(staleGrace));
                boolean waitToRetry = slot.retryAfter != null && now.isBefore(slot.retryAfter);
                if (staleUsable && (slot.loading != null || waitToRetry)) {
                    return new Lookup(slot.key, slot, null, false);
                }
                if (!staleUsable) {
                    slot.key = null;
                }
            }
            boolean leader = slot.loading == null;
            if (leader) {
                slot.loading = new CompletableFuture<>();
            }
            return new Lookup(null, slot, slot.loading, leader);
        }
    }

    /** Asks the store and completes {@code load} with the outcome; never throws but an Error (after completing it). */
    private void load(Slot slot, String routeName, KeyReference ref, CompletableFuture<String> load) {
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
            failure = KeyLoads.unexpected(routeName, ref, e);
        } finally {
            if (fresh == null && failure == null) {
                // An Error is on its way up: release the waiters before it goes.
                failure = new KeyUnavailableException("route '" + routeName + "': resolving " + ref + " was aborted");
            }
            finish(slot, load, fresh, failure);
        }
    }

    /** Records the outcome and wakes the waiters. */
    private void finish(Slot slot, CompletableFuture<String> load, String fresh, KeyUnavailableException failure) {
        String result;
        synchronized (slot) {
            if (slot.loading != load) {
                return; // already finished
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

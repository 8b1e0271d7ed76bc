package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cache's rules with a scripted store behind it (the AWS-backed counts are in
 * {@link KeySourcesContract}): here the store's answers can be chosen per call.
 */
class CachingKeyResolverTest {
    private static final KeyReference REF = KeyReference.parse("kms:AQICAHhCIPHERTEXT");
    private static final Duration TTL = Duration.ofSeconds(300);
    private static final Duration GRACE = Duration.ofMinutes(15);

    private final ManualClock clock = new ManualClock();

    /** A store whose next answers are queued: a key, or a failure. */
    private static final class Store implements KeyResolver {
        final AtomicInteger calls = new AtomicInteger();
        final List<Object> answers = new ArrayList<>();

        Store then(Object answer) {
            answers.add(answer);
            return this;
        }

        @Override
        public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
            Object answer = answers.get(Math.min(calls.getAndIncrement(), answers.size() - 1));
            if (answer instanceof KeyUnavailableException e) {
                throw e;
            }
            return (String) answer;
        }
    }

    private static KeyUnavailableException failure(boolean transientFailure) {
        return new KeyUnavailableException("route 'openai': store says no",
                new KeySourceFailure("store says no", transientFailure));
    }

    private CachingKeyResolver cache(KeyResolver store) {
        return new CachingKeyResolver(store, TTL, GRACE, clock);
    }

    @Test
    void keyIsReusedWithinTheTtlAndLoadedAgainAfter() throws Exception {
        Store store = new Store().then("key-1").then("key-2");
        CachingKeyResolver cache = cache(store);
        assertEquals("key-1", cache.resolve("openai", REF));
        clock.advance(TTL.minusSeconds(1));
        assertEquals("key-1", cache.resolve("openai", REF));
        assertEquals(1, store.calls.get());
        clock.advance(Duration.ofSeconds(1));
        assertEquals("key-2", cache.resolve("openai", REF));
        assertEquals(2, store.calls.get());
    }

    @Test
    void entriesArePerRouteAndReference() throws Exception {
        Store store = new Store().then("k");
        CachingKeyResolver cache = cache(store);
        cache.resolve("openai", REF);
        cache.resolve("azure", REF);
        cache.resolve("openai", KeyReference.parse("kms:AQICAHhOTHER"));
        assertEquals(3, store.calls.get());
    }

    @Test
    void failuresAreNotCached() throws Exception {
        Store store = new Store().then(failure(false)).then("key-1");
        CachingKeyResolver cache = cache(store);
        assertThrows(KeyUnavailableException.class, () -> cache.resolve("openai", REF));
        assertEquals("key-1", cache.resolve("openai", REF), "the next request tries again");
    }

    @Test
    void transientRefreshFailureServesTheStaleKeyWithinTheGrace() throws Exception {
        Store store = new Store().then("key-1").then(failure(true)).then("key-2");
        CachingKeyResolver cache = cache(store);
        cache.resolve("openai", REF);
        clock.advance(TTL.plusSeconds(1));
        assertEquals("key-1", cache.resolve("openai", REF), "KMS throttled: keep going with the key we had");
        assertEquals(2, store.calls.get());

        clock.advance(CachingKeyResolver.RETRY_INTERVAL.minusSeconds(1));
        assertEquals("key-1", cache.resolve("openai", REF));
        assertEquals(2, store.calls.get(), "not retried on every request");

        clock.advance(Duration.ofSeconds(1));
        assertEquals("key-2", cache.resolve("openai", REF), "retried after the interval");
    }

    @Test
    void staleKeyIsNotServedBeyondTheGrace() throws Exception {
        KeyUnavailableException down = failure(true);
        Store store = new Store().then("key-1").then(down);
        CachingKeyResolver cache = cache(store);
        cache.resolve("openai", REF);
        clock.advance(TTL.plus(GRACE));
        assertSame(down, assertThrows(KeyUnavailableException.class, () -> cache.resolve("openai", REF)));
    }

    @Test
    void definiteRefusalDropsTheCachedKeyAtOnce() throws Exception {
        KeyUnavailableException revoked = failure(false);
        Store store = new Store().then("key-1").then(revoked).then("key-2");
        CachingKeyResolver cache = cache(store);
        cache.resolve("openai", REF);
        clock.advance(TTL.plusSeconds(1));
        assertSame(revoked, assertThrows(KeyUnavailableException.class, () -> cache.resolve("openai", REF)),
                "access revoked: the old key must not outlive the revocation");
        assertEquals("key-2", cache.resolve("openai", REF));
    }

    @Test
    void unexpectedExceptionBecomesKeyUnavailableWithoutItsMessage() {
        KeyResolver broken = (route, ref) -> {
            throw new IllegalStateException("sk-proj-LEAKED-in-a-message");
        };
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class, () -> cache(broken).resolve("openai", REF));
        assertTrue(e.getMessage().startsWith("route 'openai': "), e.getMessage());
        assertTrue(e.getMessage().contains("IllegalStateException"), e.getMessage());
        assertFalse(e.getMessage().contains("LEAKED"), e.getMessage());
    }

    @Test
    void concurrentFirstUsesLoadOnceAndShareTheResult() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        KeyResolver slow = (route, ref) -> {
            calls.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "key-1";
        };
        CachingKeyResolver cache = cache(slow);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(pool.submit(() -> cache.resolve("openai", REF)));
            }
            Thread.sleep(200); // let every thread reach the cache while the load is held
            release.countDown();
            for (Future<String> result : results) {
                assertEquals("key-1", result.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, calls.get());
    }

    @Test
    void waitersOfAFailedFirstLoadGetTheFailure() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        KeyUnavailableException down = failure(true);
        KeyResolver failing = (route, ref) -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw down;
        };
        CachingKeyResolver cache = cache(failing);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                results.add(pool.submit(() -> cache.resolve("openai", REF)));
            }
            Thread.sleep(200);
            release.countDown();
            for (Future<String> result : results) {
                Exception e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> result.get(10, TimeUnit.SECONDS));
                assertSame(down, e.getCause());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsDuringARefreshGetTheOldKeyWithoutWaiting() throws Exception {
        CountDownLatch refreshing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        KeyResolver store = (route, ref) -> {
            if (calls.incrementAndGet() == 1) {
                return "key-1";
            }
            refreshing.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "key-2";
        };
        CachingKeyResolver cache = cache(store);
        cache.resolve("openai", REF);
        clock.advance(TTL.plusSeconds(1));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> refresher = pool.submit(() -> cache.resolve("openai", REF));
            assertTrue(refreshing.await(10, TimeUnit.SECONDS));
            assertEquals("key-1", cache.resolve("openai", REF), "served at once while the refresh is out");
            release.countDown();
            assertEquals("key-2", refresher.get(10, TimeUnit.SECONDS));
            assertEquals("key-2", cache.resolve("openai", REF));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBoundedWaitForAHangingFirstLoadEndsAtItsLimitForTheLeaderAndForEveryWaiter() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        KeyResolver hanging = (route, ref) -> {
            calls.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return "key-1";
        };
        CachingKeyResolver cache = cache(hanging);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<String>> waits = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waits.add(pool.submit(() -> cache.resolve("openai", REF, Duration.ofMillis(150))));
            }
            for (Future<String> wait : waits) {
                Exception e = assertThrows(java.util.concurrent.ExecutionException.class, () -> wait.get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof java.util.concurrent.TimeoutException, e.toString());
            }
            assertEquals(1, calls.get(), "one load, however many waited for it");
            release.countDown();
            assertEquals("key-1", cache.resolve("openai", REF, Duration.ofSeconds(10)), "the load finished for the next request");
            assertEquals(1, calls.get());
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aBoundedResolutionKeepsTheCachesRules() throws Exception {
        KeyUnavailableException revoked = failure(false);
        Store store = new Store().then("key-1").then(failure(true)).then(revoked).then("key-2");
        CachingKeyResolver cache = cache(store);
        Duration wait = Duration.ofSeconds(10);
        assertEquals("key-1", cache.resolve("openai", REF, wait));
        assertEquals("key-1", cache.resolve("openai", REF, wait), "a hit");
        assertEquals(1, store.calls.get());
        clock.advance(TTL.plusSeconds(1));
        assertEquals("key-1", cache.resolve("openai", REF, wait), "transient failure: the stale key");
        clock.advance(CachingKeyResolver.RETRY_INTERVAL);
        assertSame(revoked, assertThrows(KeyUnavailableException.class, () -> cache.resolve("openai", REF, wait)));
        assertEquals("key-2", cache.resolve("openai", REF, wait));
    }

    @Test
    void cacheNeverShowsAKey() throws Exception {
        CachingKeyResolver cache = cache(new Store().then("sk-proj-SHOWN"));
        cache.resolve("openai", REF);
        assertFalse(cache.toString().contains("SHOWN"));
    }
}

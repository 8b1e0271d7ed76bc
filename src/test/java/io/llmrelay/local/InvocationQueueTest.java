package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.Background;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue's count of idle runtimes is what serve scales by (a queued invocation beyond them
 * starts an environment), so a runtime that has taken an invocation must stop counting as idle
 * at once, not when its {@code GET next} is answered: an invocation queued in between would
 * otherwise be counted as covered by a runtime that will never take it, start no environment,
 * and wait until some environment is free.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InvocationQueueTest {
    private static final long FAR = Long.MAX_VALUE;

    @Test
    void aRuntimeThatHasTakenAnInvocationNoLongerCountsAsIdle() throws Exception {
        InvocationQueue queue = new InvocationQueue();
        PendingInvocation first = invocation("first");
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // The runtime stays between taking the invocation and being answered until released.
        CompletableFuture<PendingInvocation> runtime = take(queue, candidate -> {
            holding.countDown();
            await(release);
            return true;
        });
        queue.add(first);
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the runtime took the invocation");

        queue.add(invocation("second"));
        assertEquals(0, queue.idle(), "the one runtime holds an invocation: none is idle");
        assertEquals(1, queue.withoutRuntime(), "the second invocation needs an environment of its own");

        release.countDown();
        assertSame(first, runtime.get(10, TimeUnit.SECONDS));
        queue.left();
    }

    @Test
    void aRuntimeWhoseCandidateIsRefusedCountsAsIdleAgain() throws Exception {
        InvocationQueue queue = new InvocationQueue();
        PendingInvocation gone = invocation("gone");
        PendingInvocation next = invocation("next");
        CountDownLatch refused = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<PendingInvocation> runtime = take(queue, candidate -> {
            if (candidate == gone) {
                refused.countDown();
                return false; // its caller hung up
            }
            holding.countDown();
            await(release);
            return true;
        });
        queue.add(gone);
        assertTrue(refused.await(10, TimeUnit.SECONDS), "the runtime was offered the first invocation");
        while (queue.idle() == 0) { // it goes back to waiting, as idle as before
            Thread.sleep(5);
        }
        assertEquals(1, queue.idle());
        assertEquals(0, queue.withoutRuntime(), "nothing queued");

        queue.add(next);
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the runtime took the next invocation");
        queue.add(invocation("third"));
        assertEquals(0, queue.idle());
        assertEquals(1, queue.withoutRuntime());

        release.countDown();
        assertSame(next, runtime.get(10, TimeUnit.SECONDS));
        queue.left();
    }

    @Test
    void closingAnswersAWaitingRuntimeAndItStopsCountingAsIdle() throws Exception {
        InvocationQueue queue = new InvocationQueue();
        CompletableFuture<PendingInvocation> runtime = take(queue, candidate -> true);
        while (queue.idle() == 0) {
            Thread.sleep(5);
        }
        queue.add(invocation("late")); // taken, or left queued by the close: either way no runtime idles on
        CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
            try {
                queue.close(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, Background.THREADS);
        runtime.get(10, TimeUnit.SECONDS);
        assertEquals(0, queue.idle());
        assertEquals(0, queue.withoutRuntime(), "a closed queue asks for no environment");
        queue.left();
        closed.get(10, TimeUnit.SECONDS); // close returns once the runtime has its answer
    }

    private static CompletableFuture<PendingInvocation> take(InvocationQueue queue, Predicate<PendingInvocation> deliver) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return queue.take(deliver);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, Background.THREADS);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static PendingInvocation invocation(String id) {
        return new PendingInvocation(id, id, new byte[0], FAR);
    }
}

package io.llmrelay.local;

import io.llmrelay.runtime.ExecutionEnvironment;
import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.HandlerFactory;
import io.llmrelay.runtime.LambdaMain;
import io.llmrelay.runtime.RuntimeApiClient;
import io.llmrelay.runtime.RuntimeLoop;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Simulated Lambda execution environments: each one the real runtime of an environment
 * ({@link ExecutionEnvironment}) against the {@link LocalRuntimeApi}, with its own handler
 * instance, on a thread of its own; with {@code invocationsPerEnvironment} above 1, that many
 * runtime loops share the environment's handler, as on Lambda Managed Instances. Like Lambda, the pool grows
 * when an invocation arrives and no environment is idle, up to a concurrency limit, and an
 * environment whose loop ends (its runtime died) no longer counts: the next invocation that finds
 * no idle environment starts a new one, so the pool heals.
 */
final class ExecutionEnvironments {
    private final LocalRuntimeApi api;
    private final HandlerFactory handlerFactory;
    private final FunctionEnvironment function;
    private final int maxEnvironments;
    private final int invocationsPerEnvironment;
    private final PrintStream log;
    private final AtomicInteger numbers = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger failedInits = new AtomicInteger();
    /** The running environments, by their threads. */
    private final Map<Thread, ExecutionEnvironment> loops = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    ExecutionEnvironments(LocalRuntimeApi api, HandlerFactory handlerFactory, FunctionEnvironment function,
            int maxEnvironments, int invocationsPerEnvironment, PrintStream log) {
        this.api = api;
        this.handlerFactory = handlerFactory;
        this.function = function;
        this.maxEnvironments = maxEnvironments;
        this.invocationsPerEnvironment = invocationsPerEnvironment;
        this.log = log;
    }

    /**
     * Starts another environment when an invocation waits that no idle environment will take.
     * Called after every submission and whenever an environment ends, so no queued invocation is
     * left without an environment while fewer than the limit run: the count is taken in one step
     * with the queue ({@link LocalRuntimeApi#invocationsWithoutEnvironment()}).
     */
    synchronized void scaleForQueue() {
        if (!stopping && api.invocationsWithoutEnvironment() > 0 && live.get() < maxEnvironments) {
            startOne();
        }
    }

    /** Starts the first environment and waits until it is idle in next (true) or failed init (false). */
    boolean startFirst() throws InterruptedException {
        synchronized (this) {
            startOne();
        }
        while (api.idleEnvironments() == 0) {
            if (failedInits.get() > 0 || live.get() == 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Environments whose runtime loop is running. */
    int live() {
        return live.get();
    }

    /**
     * Serve is stopping: every loop is asked to stop ({@link RuntimeLoop#stop()}: an idle one ends
     * at once, a busy one after its invocation, and from now on neither says a word), and none is
     * started or replaced. Done before the Runtime API closes, so that no loop is left asking it
     * for an invocation it will never answer.
     */
    synchronized void stop() {
        stopping = true;
        loops.values().forEach(ExecutionEnvironment::stop);
    }

    /** Waits, at most {@code millis} in all, for the stopped loops to end. */
    void awaitStopped(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread thread : loops.keySet()) {
            long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
            if (left <= 0) {
                return;
            }
            thread.join(left);
        }
    }

    private void startOne() {
        int number = numbers.incrementAndGet();
        live.incrementAndGet();
        ExecutionEnvironment loop = new ExecutionEnvironment(
                () -> new RuntimeApiClient(api.address(), LambdaMain.USER_AGENT), handlerFactory, function,
                System::currentTimeMillis, log, invocationsPerEnvironment, false);
        Thread thread = new Thread(() -> run(number, loop), "execution-environment-" + number);
        thread.setDaemon(true);
        loops.put(thread, loop);
        thread.start();
    }

    /** One environment's life: the loop until it ends, then room for a replacement. */
    private void run(int number, ExecutionEnvironment loop) {
        String why;
        boolean initFailed = false;
        try {
            RuntimeLoop.Exit exit = loop.run();
            initFailed = exit == RuntimeLoop.Exit.INIT_FAILED;
            why = initFailed ? "its init failed" : "its runtime loop ended: " + exit;
        } catch (Throwable died) {
            // What the loop lets through (an Error such as OutOfMemoryError) ends the environment,
            // as it ends the process on Lambda. Only the type: the message may quote anything.
            why = died.getClass().getName();
        } finally {
            live.decrementAndGet();
            loops.remove(Thread.currentThread());
        }
        if (initFailed) {
            failedInits.incrementAndGet();
        }
        if (!stopping) {
            log.println("serve: execution environment " + number + " stopped (" + why
                    + "); the next invocation that finds no idle environment starts a new one");
            if (!initFailed) {
                scaleForQueue(); // invocations already waiting need not wait for another to arrive
            }
        }
    }
}

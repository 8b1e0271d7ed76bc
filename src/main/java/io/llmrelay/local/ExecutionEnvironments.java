package io.llmrelay.local;

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
 * Simulated Lambda execution environments: each one a thread running the real runtime loop
 * against the {@link LocalRuntimeApi}, with its own handler instance. Like Lambda, the pool grows
 * when an invocation arrives and no environment is idle, up to a concurrency limit, and an
 * environment whose loop ends (its runtime died) no longer counts: the next invocation that finds
 * no idle environment starts a new one, so the pool heals.
 */
final class ExecutionEnvironments {
    private final LocalRuntimeApi api;
    private final HandlerFactory handlerFactory;
    private final FunctionEnvironment function;
    private final int maxEnvironments;
    private final PrintStream log;
    /** What the runtime loops print: serve's log until serve stops, then nothing. */
    private final PrintStream runtimeLog;
    private final AtomicInteger numbers = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicInteger failedInits = new AtomicInteger();
    /** The running loops' threads and their Runtime API clients. */
    private final Map<Thread, RuntimeApiClient> loops = new ConcurrentHashMap<>();
    private volatile boolean stopping;

    ExecutionEnvironments(LocalRuntimeApi api, HandlerFactory handlerFactory, FunctionEnvironment function,
            int maxEnvironments, PrintStream log) {
        this.api = api;
        this.handlerFactory = handlerFactory;
        this.function = function;
        this.maxEnvironments = maxEnvironments;
        this.log = log;
        this.runtimeLog = new QuietAfterStop(log, () -> stopping);
    }

    /** Starts another environment when invocations are waiting and none is idle. */
    synchronized void scaleForQueue() {
        if (!stopping && api.queuedInvocations() > api.idleEnvironments() && live.get() < maxEnvironments) {
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
     * Serve is stopping: from now on the loops, which stop when the Runtime API goes away, do so
     * without a word, and none is started or replaced.
     */
    void stopping() {
        stopping = true;
    }

    /**
     * Once the Runtime API has closed: ends every loop's connection to it (a loop may be blocked
     * reading from a connection the closing server never got to) and waits, at most
     * {@code millis} in all, for the loops to end.
     */
    void awaitStopped(long millis) throws InterruptedException {
        loops.values().forEach(RuntimeApiClient::close);
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
        RuntimeApiClient client = new RuntimeApiClient(api.address(), LambdaMain.USER_AGENT);
        RuntimeLoop loop = new RuntimeLoop(client, handlerFactory, function, System::currentTimeMillis, runtimeLog);
        Thread thread = new Thread(() -> run(number, loop, client), "execution-environment-" + number);
        thread.setDaemon(true);
        loops.put(thread, client);
        thread.start();
    }

    /** One environment's life: the loop until it ends, then room for a replacement. */
    private void run(int number, RuntimeLoop loop, RuntimeApiClient client) {
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
            client.close();
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

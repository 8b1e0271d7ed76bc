package io.llmrelay.local;

import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.HandlerFactory;
import io.llmrelay.runtime.LambdaMain;
import io.llmrelay.runtime.RuntimeApiClient;
import io.llmrelay.runtime.RuntimeLoop;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Simulated Lambda execution environments: each one a thread running the real runtime loop
 * against the {@link LocalRuntimeApi}, with its own handler instance. Like Lambda, the pool grows
 * when an invocation arrives and no environment is idle, up to a concurrency limit.
 */
final class ExecutionEnvironments {
    private final LocalRuntimeApi api;
    private final HandlerFactory handlerFactory;
    private final FunctionEnvironment function;
    private final int maxEnvironments;
    private final PrintStream log;
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger failedInits = new AtomicInteger();

    ExecutionEnvironments(LocalRuntimeApi api, HandlerFactory handlerFactory, FunctionEnvironment function,
            int maxEnvironments, PrintStream log) {
        this.api = api;
        this.handlerFactory = handlerFactory;
        this.function = function;
        this.maxEnvironments = maxEnvironments;
        this.log = log;
    }

    /** Starts another environment when invocations are waiting and none is idle. */
    synchronized void scaleForQueue() {
        if (api.queuedInvocations() > api.idleEnvironments() && started.get() < maxEnvironments) {
            startOne();
        }
    }

    /** Starts the first environment and waits until it is idle in next (true) or failed init (false). */
    boolean startFirst() throws InterruptedException {
        synchronized (this) {
            startOne();
        }
        while (api.idleEnvironments() == 0) {
            if (failedInits.get() > 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    int started() {
        return started.get();
    }

    private void startOne() {
        int number = started.incrementAndGet();
        RuntimeLoop loop = new RuntimeLoop(new RuntimeApiClient(api.address(), LambdaMain.USER_AGENT),
                handlerFactory, function, System::currentTimeMillis, log);
        Thread thread = new Thread(() -> {
            if (loop.run() == RuntimeLoop.Exit.INIT_FAILED) {
                failedInits.incrementAndGet();
            }
        }, "execution-environment-" + number);
        thread.setDaemon(true);
        thread.start();
    }
}

package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One execution environment's runtime: the handler made once ({@link RuntimeLoop#init()}), SnapStart's
 * restore exchange when Lambda snapshots this init ({@link SnapStartRestore}), then {@code loops}
 * runtime loops sharing that handler, each with its own Runtime API connection and thread. One
 * loop is the default and runs on the calling thread, as before; more is Lambda Managed
 * Instances, where one environment takes up to {@code AWS_LAMBDA_MAX_CONCURRENCY} invocations at
 * once through concurrent {@code next} and {@code /response} calls (the managed Java runtime's
 * client runs that many loops on platform threads: aws-lambda-java-libs AWSLambda.java
 * {@code startRuntimeLoops}, ConcurrencyConfig). The handler must then be thread-safe.
 *
 * <p>{@link #run()} returns when the first loop ends, after asking the others to stop: on Lambda
 * the process then exits and Lambda replaces the environment, since a loop ends only when the
 * Runtime API refused it or the JVM cannot be trusted.
 */
public final class ExecutionEnvironment {
    private final Supplier<RuntimeApiClient> clients;
    private final HandlerFactory handlerFactory;
    private final FunctionEnvironment function;
    private final LongSupplier clock;
    private final PrintStream log;
    private final int loops;
    private final boolean snapStart;
    private final List<RuntimeLoop> running = new CopyOnWriteArrayList<>();
    private volatile boolean stopRequested;

    /**
     * @param clients   a new Runtime API client per loop
     * @param loops     how many invocations the environment runs at once, at least 1
     * @param snapStart whether Lambda snapshots this init ({@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start})
     */
    public ExecutionEnvironment(Supplier<RuntimeApiClient> clients, HandlerFactory handlerFactory,
            FunctionEnvironment function, LongSupplier epochMillisClock, PrintStream log, int loops, boolean snapStart) {
        if (loops < 1) {
            throw new IllegalArgumentException("an environment runs at least one loop, was " + loops);
        }
        this.clients = clients;
        this.handlerFactory = handlerFactory;
        this.function = function;
        this.clock = epochMillisClock;
        this.log = log;
        this.loops = loops;
        this.snapStart = snapStart;
    }

    /** Init, the restore exchange when asked for, then the loops until one of them ends. */
    public RuntimeLoop.Exit run() {
        RuntimeApiClient first = clients.get();
        RuntimeLoop firstLoop = track(new RuntimeLoop(first, handlerFactory, function, clock, log));
        RequestStreamHandler handler = firstLoop.init();
        if (handler == null) {
            first.close();
            return RuntimeLoop.Exit.INIT_FAILED;
        }
        if (snapStart) {
            RuntimeLoop.Exit ended = SnapStartRestore.run(first, handler, log);
            if (ended != null) {
                first.close();
                return ended;
            }
        }
        if (loops == 1) {
            return firstLoop.run(handler);
        }
        BlockingQueue<RuntimeLoop.Exit> exits = new LinkedBlockingQueue<>();
        start(firstLoop, handler, exits, 1);
        for (int n = 2; n <= loops; n++) {
            start(track(new RuntimeLoop(clients.get(), handlerFactory, function, clock, log)), handler, exits, n);
        }
        try {
            RuntimeLoop.Exit exit = exits.take();
            stop();
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop();
            return RuntimeLoop.Exit.STOPPED;
        }
    }

    /**
     * Asks every loop to end ({@link RuntimeLoop#stop()}): an idle one at once, a busy one after its
     * invocation; a loop not started yet ends before its first {@code next}.
     */
    public void stop() {
        stopRequested = true;
        running.forEach(RuntimeLoop::stop);
    }

    private RuntimeLoop track(RuntimeLoop loop) {
        running.add(loop);
        if (stopRequested) {
            loop.stop();
        }
        return loop;
    }

    /**
     * A loop on a thread of its own. What it lets through (an Error) ends the environment as a fatal
     * error, logged by type and redacted message like everything the runtime prints.
     */
    private void start(RuntimeLoop loop, RequestStreamHandler handler, BlockingQueue<RuntimeLoop.Exit> exits,
            int number) {
        Thread thread = new Thread(() -> {
            RuntimeLoop.Exit exit = RuntimeLoop.Exit.FATAL_ERROR;
            try {
                exit = loop.run(handler);
            } catch (Throwable died) {
                log.println("llm-relay runtime: loop " + number + " ended by " + Failures.describe(died));
            } finally {
                exits.add(exit);
            }
        }, "runtime-loop-" + number);
        thread.setDaemon(true);
        thread.start();
    }
}

package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The loop of one execution environment: init the handler once, then {@code next}, invoke,
 * respond, forever. A handler failure is reported and the loop goes on.
 *
 * <p>What each answer of the Runtime API does to the loop:
 * <pre>
 *   call              success   5xx                  other status          cut, malformed or broken reply
 *   next              200       stop                 stop                  stop (1)
 *   response, error   202       stop                 logged, next          logged, connection dropped, next
 *   init/error        202       INIT_FAILED, logged  INIT_FAILED, logged   INIT_FAILED, logged
 * </pre>
 * (1) after one fresh try when a kept-alive connection broke before any byte of the reply.
 *
 * <p>"stop" ends {@link #run()} with {@link Exit#RUNTIME_API_FAILED}; on Lambda the process then
 * exits and Lambda replaces the environment. The success statuses are the ones aws-lambda-go
 * (lambda/runtime_api_client.go) and the AWS Java runtime interface client
 * (LambdaRuntimeApiClientImpl) accept; both end the process on any failed call. Here a refusal
 * other than 5xx of {@code /response} or {@code /error} concerns one invocation (an unknown or
 * timed-out request id, a response too large), so the loop logs it and asks for the next
 * invocation, whose answer decides: a Runtime API that no longer wants this environment says so
 * there. A 5xx is, in the Runtime API's own words, "Container error. Non-recoverable state.
 * Runtime should exit promptly."
 *
 * <p>Everything the loop prints or reports names the exception type and its message with known
 * keys redacted ({@link Failures}, {@link ErrorReport}), never a raw message or stack trace.
 */
public final class RuntimeLoop {
    private static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    private final RuntimeApiClient client;
    private final HandlerFactory handlerFactory;
    private final FunctionEnvironment function;
    private final LongSupplier clock;
    private final PrintStream log;
    private volatile boolean stopRequested;

    public RuntimeLoop(RuntimeApiClient client, HandlerFactory handlerFactory, FunctionEnvironment function,
            LongSupplier epochMillisClock, PrintStream log) {
        this.client = client;
        this.handlerFactory = handlerFactory;
        this.function = function;
        this.clock = epochMillisClock;
        this.log = log;
    }

    /** Why the loop stopped. */
    public enum Exit {
        /** The handler could not be created; it was reported to {@code /init/error}. */
        INIT_FAILED,
        /** The Runtime API failed or refused {@code next}, or answered a post with a 5xx. */
        RUNTIME_API_FAILED,
        /** {@link #stop()} was called. */
        STOPPED,
        /** The handler threw an {@link Error} (other than a stack overflow) after which the JVM cannot be trusted. */
        FATAL_ERROR
    }

    /**
     * Asks the loop to end, from any thread: it completes the invocation in hand, asks for no
     * other, and a {@code next} that fails from now on ends the loop with {@link Exit#STOPPED}
     * without a log line. A loop waiting in {@code next} ends when its owner shuts the Runtime
     * API down (as {@code serve} does when it stops); an invocation that {@code next} still
     * delivers is served first.
     */
    public void stop() {
        stopRequested = true;
    }

    public Exit run() {
        try {
            RequestStreamHandler handler = init();
            return handler == null ? Exit.INIT_FAILED : serve(handler);
        } finally {
            client.close();
        }
    }

    /** The handler, or null after reporting why there is none. */
    private RequestStreamHandler init() {
        Throwable failure;
        try {
            RequestStreamHandler handler = handlerFactory.create();
            if (handler != null) {
                return handler;
            }
            failure = new HandlerFactory.HandlerInitException("Runtime.InvalidHandler", "the handler factory made no handler");
        } catch (Throwable thrown) {
            failure = Failures.unwrapReflective(thrown);
        }
        String category = failure instanceof HandlerFactory.HandlerInitException h
                ? h.category() : "Runtime.HandlerInitError";
        log.println("llm-relay runtime: init failed: " + Failures.describe(failure));
        try {
            client.reportInitError(ErrorReport.of(category, failure));
        } catch (IOException e) {
            log.println("llm-relay runtime: could not report the init error: " + Failures.describe(e));
        }
        return null;
    }

    private Exit serve(RequestStreamHandler handler) {
        while (!stopRequested) {
            Invocation invocation;
            try {
                invocation = client.next();
            } catch (IOException e) {
                if (stopRequested) {
                    return Exit.STOPPED;
                }
                log.println("llm-relay runtime: next failed, stopping: " + Failures.describe(e));
                return Exit.RUNTIME_API_FAILED;
            }
            Exit exit = invoke(handler, invocation);
            if (exit != null) {
                return exit;
            }
        }
        return Exit.STOPPED;
    }

    /** Runs one invocation and completes its response, whatever the handler does; non-null when the loop must end. */
    Exit invoke(RequestStreamHandler handler, Invocation invocation) {
        if (invocation.traceId() != null) {
            System.setProperty(TRACE_PROPERTY, invocation.traceId());
        } else {
            System.clearProperty(TRACE_PROPERTY);
        }
        RuntimeApiClient.StreamingResponse response = client.streamResponse(invocation);
        LambdaContext context = new LambdaContext(invocation, function, clock);
        Throwable failure = null;
        try {
            handler.handleRequest(new ByteArrayInputStream(invocation.event()), response, context);
        } catch (Throwable t) {
            failure = t;
        }
        Exit exit = complete(invocation, response, failure);
        if (failure instanceof Error && !(failure instanceof StackOverflowError)) {
            // An OutOfMemoryError or similar leaves the JVM in an unknown state: let Lambda replace us.
            log.println("llm-relay runtime: stopping after " + failure.getClass().getName());
            return Exit.FATAL_ERROR;
        }
        return exit;
    }

    private Exit complete(Invocation invocation, RuntimeApiClient.StreamingResponse response, Throwable failure) {
        String id = invocation.requestId();
        try {
            if (failure == null) {
                response.finish();
            } else if (!response.isCommitted()) {
                log.println("llm-relay runtime: invocation " + id + " failed: " + Failures.describe(failure));
                client.reportInvocationError(invocation, ErrorReport.of("Runtime.Unhandled", failure));
            } else if (!response.isFinished()) {
                log.println("llm-relay runtime: invocation " + id + " failed after " + response.bytesWritten()
                        + " bytes: " + Failures.describe(failure));
                response.fail(ErrorReport.of("Runtime.StreamError", failure));
            } else {
                log.println("llm-relay runtime: invocation " + id + " failed after its response was complete: "
                        + Failures.describe(failure));
            }
            return null;
        } catch (RuntimeApiStatusException e) {
            if (e.nonRecoverable()) {
                log.println("llm-relay runtime: the Runtime API failed, stopping: " + Failures.describe(e));
                return Exit.RUNTIME_API_FAILED;
            }
            log.println("llm-relay runtime: the Runtime API refused the " + e.call() + " of " + id + ": "
                    + Failures.describe(e));
            return null;
        } catch (IOException | RuntimeException e) {
            // The connection broke or the reply was bad: it was dropped, and the next `next` reconnects.
            log.println("llm-relay runtime: could not complete the response of " + id + ": " + Failures.describe(e));
            return null;
        }
    }
}

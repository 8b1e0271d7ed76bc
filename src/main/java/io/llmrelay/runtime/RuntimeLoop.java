package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.llmrelay.stages.Stages;
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
 *   call              success   any other status         cut, malformed or broken reply
 *   next              200       stop                     stop (1)
 *   response, error   202       logged, next             logged, connection dropped, next
 *   init/error        202       INIT_FAILED, logged      INIT_FAILED, logged
 * </pre>
 * (1) after one fresh try when a kept-alive connection broke before any byte of the reply.
 *
 * <p>"stop" ends {@link #run()} with {@link Exit#RUNTIME_API_FAILED}; on Lambda the process then
 * exits and Lambda replaces the environment. The success statuses are the ones aws-lambda-go
 * (lambda/runtime_api_client.go) and the AWS Java runtime interface client
 * (LambdaRuntimeApiClientImpl) accept. Both also end the process when a post fails; here a failed
 * {@code /response} or {@code /error} concerns one invocation (an unknown or timed-out request id,
 * a response too large, in {@code serve} a caller that hung up, which its Runtime API answers
 * with 500), so the loop logs it and asks for the next invocation, and that answer decides: a
 * Runtime API in the state its specification calls "Container error. Non-recoverable state.
 * Runtime should exit promptly." (500) refuses {@code next} too, and the loop stops one request
 * later.
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
    private volatile boolean waitingInNext;

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
        /** The Runtime API failed or refused {@code next}. */
        RUNTIME_API_FAILED,
        /** {@link #stop()} was called. */
        STOPPED,
        /** The handler threw an {@link Error} (other than a stack overflow) after which the JVM cannot be trusted. */
        FATAL_ERROR,
        /** SnapStart: the after-restore step failed; it was reported to {@code /restore/error} ({@link SnapStartRestore}). */
        RESTORE_FAILED
    }

    /**
     * Asks the loop to end, from any thread, for an owner that shuts down (as {@code serve} does):
     * a loop waiting in {@code next} ends at once, its connection closed; a loop running an
     * invocation completes it and asks for no other. Either way {@link #run()} returns
     * {@link Exit#STOPPED}. (An invocation that {@code next} is delivering at that very moment may
     * then fail to complete: this is for shutting down.)
     *
     * <p>From the call on, the loop logs nothing: its owner is shutting down, the Runtime API with
     * it, and what fails from then on (a response whose connection the stopping Runtime API cuts)
     * fails because of that. A line there would be noise, where on Lambda the same line is news.
     */
    public void stop() {
        stopRequested = true;
        if (waitingInNext) {
            client.close(); // breaks off the long poll; the loop sees stopRequested and ends quietly
        }
    }

    public Exit run() {
        try {
            RequestStreamHandler handler = init();
            return handler == null ? Exit.INIT_FAILED : serve(handler);
        } finally {
            client.close();
        }
    }

    /**
     * Serves invocations with a handler made already (by another loop of the same environment,
     * which shares it), until the loop must end; closes this loop's connection then.
     */
    Exit run(RequestStreamHandler handler) {
        try {
            return serve(handler);
        } finally {
            client.close();
        }
    }

    /** The handler, or null after reporting why there is none. */
    RequestStreamHandler init() {
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
        say("llm-relay runtime: init failed: " + Failures.describe(failure));
        try {
            client.reportInitError(ErrorReport.of(category, failure));
        } catch (IOException e) {
            say("llm-relay runtime: could not report the init error: " + Failures.describe(e));
        }
        return null;
    }

    private Exit serve(RequestStreamHandler handler) {
        while (true) {
            Invocation invocation;
            // waitingInNext is set before stopRequested is read, and stop() sets stopRequested
            // before it reads waitingInNext: one of the two sees the other, so no stop is missed.
            waitingInNext = true;
            try {
                if (stopRequested) {
                    return Exit.STOPPED;
                }
                if (Stages.ON) {
                    Stages.polling();
                }
                invocation = client.next();
                if (Stages.ON) {
                    Stages.begin();
                }
            } catch (IOException e) {
                if (stopRequested) {
                    return Exit.STOPPED;
                }
                say("llm-relay runtime: next failed, stopping: " + Failures.describe(e));
                return Exit.RUNTIME_API_FAILED;
            } finally {
                waitingInNext = false;
            }
            Exit exit = invoke(handler, invocation);
            if (exit != null) {
                return exit;
            }
        }
    }

    /** Runs one invocation and completes its response, whatever the handler does; non-null when the loop must end. */
    Exit invoke(RequestStreamHandler handler, Invocation invocation) {
        if (invocation.traceId() != null) {
            System.setProperty(TRACE_PROPERTY, invocation.traceId());
        } else {
            System.clearProperty(TRACE_PROPERTY);
        }
        StreamingResponse response = client.streamResponse(invocation);
        LambdaContext context = new LambdaContext(invocation, function, clock);
        Throwable failure = null;
        try {
            handler.handleRequest(new ByteArrayInputStream(invocation.event()), response, context);
        } catch (Throwable t) {
            failure = t;
        }
        complete(invocation, response, failure);
        if (Stages.ON) {
            Stages.report(invocation.requestId(), log);
        }
        if (failure instanceof Error && !(failure instanceof StackOverflowError)) {
            // An OutOfMemoryError or similar leaves the JVM in an unknown state: let Lambda replace us.
            say("llm-relay runtime: stopping after " + failure.getClass().getName());
            return Exit.FATAL_ERROR;
        }
        return null;
    }

    /**
     * The connection broke under one of the handler's writes (in serve, and on Lambda if it ever
     * does so, that is how a caller's hang-up shows): nothing more can be sent for this invocation,
     * neither its end nor a failure, and the next {@code next} reconnects. The handler heard of it
     * from the write that failed and is the one that knows what it means (the relay's request log
     * line says {@code caller_disconnected}, with the write's error as its detail), so the loop
     * adds no line of its own: one event, one line. Only a different failure the handler then threw
     * (not the broken connection surfacing again as an {@link IOException}) is a line here.
     */
    private void brokenUnderTheHandler(String id, StreamingResponse response, Throwable failure) {
        if (failure != null && !(failure instanceof IOException)) {
            say("llm-relay runtime: invocation " + id + " failed after " + response.bytesWritten()
                    + " bytes, its response connection already broken: " + Failures.describe(failure));
        }
    }

    /** One line of the loop's log, unless the loop was asked to stop (see {@link #stop()}). */
    private void say(String line) {
        if (!stopRequested) {
            log.println(line);
        }
    }

    /** Sends the response, the error or the failure trailers; a refusal or a broken reply is logged (see the table above). */
    private void complete(Invocation invocation, StreamingResponse response, Throwable failure) {
        String id = invocation.requestId();
        if (response.isBroken()) {
            brokenUnderTheHandler(id, response, failure);
            return;
        }
        try {
            if (failure == null) {
                response.finish();
            } else if (!response.isCommitted()) {
                say("llm-relay runtime: invocation " + id + " failed: " + Failures.describe(failure));
                client.reportInvocationError(invocation, ErrorReport.of("Runtime.Unhandled", failure));
            } else if (!response.isFinished()) {
                say("llm-relay runtime: invocation " + id + " failed after " + response.bytesWritten()
                        + " bytes: " + Failures.describe(failure));
                response.fail(ErrorReport.of("Runtime.StreamError", failure));
            } else {
                say("llm-relay runtime: invocation " + id + " failed after its response was complete: "
                        + Failures.describe(failure));
            }
        } catch (RuntimeApiStatusException e) {
            say("llm-relay runtime: the Runtime API refused the " + e.call() + " of " + id + ": "
                    + Failures.describe(e));
        } catch (IOException | RuntimeException e) {
            // The connection broke or the reply was bad: it was dropped, and the next `next` reconnects.
            say("llm-relay runtime: could not complete the response of " + id + ": " + Failures.describe(e));
        }
    }
}

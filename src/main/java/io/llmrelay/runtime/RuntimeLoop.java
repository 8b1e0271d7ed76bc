package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * The loop of one execution environment: init the handler once, then {@code next}, invoke,
 * respond, forever. A handler failure is reported and the loop goes on; the loop ends only when
 * the Runtime API itself fails (Lambda then replaces the environment) or after an init failure.
 */
public final class RuntimeLoop {
    private static final String TRACE_PROPERTY = "com.amazonaws.xray.traceHeader";

    private final RuntimeApiClient client;
    private final HandlerFactory handlerFactory;
    private final FunctionEnvironment function;
    private final LongSupplier clock;
    private final PrintStream log;

    public RuntimeLoop(RuntimeApiClient client, HandlerFactory handlerFactory, FunctionEnvironment function,
            LongSupplier epochMillisClock, PrintStream log) {
        this.client = client;
        this.handlerFactory = handlerFactory;
        this.function = function;
        this.clock = epochMillisClock;
        this.log = log;
    }

    /** Why the loop stopped. */
    public enum Exit { INIT_FAILED, RUNTIME_API_FAILED }

    public Exit run() {
        RequestStreamHandler handler;
        try {
            handler = handlerFactory.create();
        } catch (Throwable initFailure) {
            String category = initFailure instanceof HandlerFactory.HandlerInitException h
                    ? h.category() : "Runtime.HandlerInitError";
            log.println("llm-relay runtime: init failed: " + initFailure);
            try {
                client.reportInitError(ErrorReport.of(category, initFailure));
            } catch (IOException e) {
                log.println("llm-relay runtime: could not report the init error: " + e.getMessage());
            }
            return Exit.INIT_FAILED;
        }
        while (true) {
            Invocation invocation;
            try {
                invocation = client.next();
            } catch (IOException e) {
                log.println("llm-relay runtime: next failed, stopping: " + e.getMessage());
                return Exit.RUNTIME_API_FAILED;
            }
            invoke(handler, invocation);
        }
    }

    /** Runs one invocation and completes its response, whatever the handler does. */
    void invoke(RequestStreamHandler handler, Invocation invocation) {
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
        try {
            if (failure == null) {
                response.finish();
            } else if (!response.isCommitted()) {
                log.println("llm-relay runtime: invocation " + invocation.requestId() + " failed: " + failure);
                client.reportInvocationError(invocation, ErrorReport.of("Runtime.Unhandled", failure));
            } else if (!response.isFinished()) {
                log.println("llm-relay runtime: invocation " + invocation.requestId()
                        + " failed after " + response.bytesWritten() + " bytes: " + failure);
                response.fail(ErrorReport.of("Runtime.StreamError", failure));
            } else {
                log.println("llm-relay runtime: invocation " + invocation.requestId()
                        + " failed after its response was complete: " + failure);
            }
        } catch (IOException | RuntimeException e) {
            // The Runtime API connection broke mid-response; the next `next` reconnects.
            log.println("llm-relay runtime: could not complete the response of " + invocation.requestId()
                    + ": " + e.getMessage());
        }
        if (failure instanceof Error && !(failure instanceof StackOverflowError)) {
            // An OutOfMemoryError or similar leaves the JVM in an unknown state: let Lambda replace us.
            throw (Error) failure;
        }
    }
}

package io.llmrelay.testing;

import io.llmrelay.functionurl.HttpIntegrationPrelude;
import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.HandlerFactory;
import io.llmrelay.runtime.LambdaMain;
import io.llmrelay.runtime.RuntimeApiClient;
import io.llmrelay.runtime.RuntimeLoop;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Exactly one Lambda execution environment: the real runtime loop, with one handler instance,
 * against the in-process Runtime API. Events go in as Lambda would deliver them (so a test can
 * send what no HTTP client can: repeated headers as Lambda joins them, a body flagged base64,
 * an event that is not a Function URL event at all), and every invocation runs in this one
 * environment, one after another, as on Lambda.
 */
public final class SingleEnvironment implements AutoCloseable {
    private final LocalRuntimeApi api;
    private final Thread loop;
    private final AtomicInteger handlersCreated = new AtomicInteger();

    /** What the function answered to one event, as a Function URL would pass it to the caller. */
    public record Answer(int status, Map<String, String> headers, byte[] body, PendingInvocation.StreamEnd end) {
        public String header(String name) {
            return headers.get(name);
        }
    }

    private SingleEnvironment(HandlerFactory handlers, PrintStream log, LongSupplier epochMillisClock) throws Exception {
        api = LocalRuntimeApi.start();
        RuntimeLoop runtime = new RuntimeLoop(new RuntimeApiClient(api.address(), LambdaMain.USER_AGENT), () -> {
            handlersCreated.incrementAndGet();
            return handlers.create();
        }, new FunctionEnvironment("llm-relay-test", "$LATEST", 1024, "/aws/lambda/llm-relay-test", "test"),
                epochMillisClock, log);
        loop = new Thread(runtime::run, "the-one-execution-environment");
        loop.setDaemon(true);
        loop.start();
    }

    public static SingleEnvironment start(HandlerFactory handlers, PrintStream log) throws Exception {
        return new SingleEnvironment(handlers, log, System::currentTimeMillis);
    }

    /**
     * As {@link #start(HandlerFactory, PrintStream)}, with the clock the function's {@code Context}
     * reads its remaining time by: one that runs ahead makes every invocation arrive with its
     * deadline (nearly) spent, as an invocation Lambda delivers late would, while the Runtime API
     * itself keeps real time.
     */
    public static SingleEnvironment start(HandlerFactory handlers, PrintStream log, LongSupplier epochMillisClock)
            throws Exception {
        return new SingleEnvironment(handlers, log, epochMillisClock);
    }

    /**
     * Delivers one event and reads the whole streamed answer.
     *
     * @param timeout the function timeout for this invocation (its deadline) and the longest wait here
     */
    public Answer invoke(byte[] event, Duration timeout) throws Exception {
        PendingInvocation invocation = api.submit(event, timeout.toMillis());
        PendingInvocation.Result result = invocation.result().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (result instanceof PendingInvocation.Failed failed) {
            throw new AssertionError("the function failed instead of answering (a Function URL says 502 then): "
                    + failed.errorType() + " " + failed.errorBody());
        }
        PendingInvocation.Streamed streamed = (PendingInvocation.Streamed) result;
        try (InputStream body = streamed.body()) {
            if (!streamed.contentType().startsWith(HttpIntegrationPrelude.CONTENT_TYPE)) {
                throw new AssertionError("not a Function URL response: " + streamed.contentType());
            }
            HttpIntegrationPrelude prelude = HttpIntegrationPrelude.read(body);
            byte[] bytes = body.readAllBytes();
            PendingInvocation.StreamEnd end = streamed.completion().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(prelude.statusCode(), prelude.headers(), bytes, end);
        }
    }

    /** True while the environment's runtime loop runs (it stops only if the Runtime API fails or init failed). */
    public boolean alive() {
        return loop.isAlive();
    }

    /** How many times the handler was created: 1 for as long as this stays one environment. */
    public int handlersCreated() {
        return handlersCreated.get();
    }

    @Override
    public void close() throws Exception {
        api.close();
        loop.join(5_000);
    }
}

package io.llmrelay.runtime;

import io.llmrelay.testing.Background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SnapStart's side of the Runtime API against the Jetty Runtime API ({@link LocalRuntimeApi}): with
 * {@code snap-start} the environment calls {@code restore/next} exactly once, after the handler's
 * init and its before-snapshot step and before its first {@code next}, and runs the after-restore
 * step only once {@code restore/next} has answered; a failing step is reported where the Runtime
 * API says; without {@code snap-start}, no restore call at all.
 */
@Timeout(30)
class SnapStartRestoreTest {
    private LocalRuntimeApi api;
    private ExecutionEnvironment environment;
    private final ByteArrayOutputStream runtimeLog = new ByteArrayOutputStream();
    private final List<String> steps = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startApi() throws Exception {
        api = LocalRuntimeApi.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (environment != null) {
            environment.stop();
        }
        api.close();
    }

    /** A handler that records its init, its two SnapStart steps and each invocation, in order. */
    private final class Recording implements RequestStreamHandler, SnapStartHooks {
        private final Function<String, Exception> failing;

        Recording(Function<String, Exception> failing) {
            this.failing = failing;
            steps.add("init");
        }

        @Override
        public void beforeCheckpoint() throws Exception {
            steps.add("beforeCheckpoint");
            fail("beforeCheckpoint");
        }

        @Override
        public void afterRestore() throws Exception {
            steps.add("afterRestore");
            fail("afterRestore");
        }

        private void fail(String step) throws Exception {
            Exception e = failing.apply(step);
            if (e != null) {
                throw e;
            }
        }

        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            steps.add("invoke " + new String(input.readAllBytes(), StandardCharsets.UTF_8));
            output.write("ok".getBytes(StandardCharsets.UTF_8));
        }
    }

    private CompletableFuture<RuntimeLoop.Exit> start(boolean snapStart, Function<String, Exception> failing) {
        environment = new ExecutionEnvironment(() -> new RuntimeApiClient(api.address(), "test"),
                () -> new Recording(failing), new FunctionEnvironment("relay-test", "7", 512, "", ""),
                System::currentTimeMillis, new PrintStream(runtimeLog, true, StandardCharsets.UTF_8), 1, snapStart);
        ExecutionEnvironment started = environment;
        return CompletableFuture.supplyAsync(started::run, Background.THREADS);
    }

    private String invoke(String event) throws Exception {
        PendingInvocation invocation = api.submit(event.getBytes(StandardCharsets.UTF_8), 60_000);
        PendingInvocation.Streamed response = assertInstanceOf(PendingInvocation.Streamed.class,
                invocation.result().get(10, TimeUnit.SECONDS));
        return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void withSnapStartRestoreNextComesOnceAfterTheBeforeSnapshotStepAndBeforeTheFirstNext() throws Exception {
        api.holdRestore(); // the snapshot is "taken" while restore/next waits
        start(true, step -> null);
        int nextsBeforeRestore = api.restoreRequested().get(10, TimeUnit.SECONDS);

        assertEquals(0, nextsBeforeRestore, "no next before restore/next");
        assertEquals(List.of("init", "beforeCheckpoint"), steps, "init and the before-snapshot step ran, nothing after");
        assertEquals(0, api.idleEnvironments(), "nobody waits in next while restore/next is pending");

        api.restore();
        assertEquals("ok", invoke("\"first\""));
        assertEquals("ok", invoke("\"second\""));

        assertEquals(List.of("init", "beforeCheckpoint", "afterRestore", "invoke \"first\"", "invoke \"second\""), steps);
        assertEquals(1, api.restoreNextCalls(), "restore/next exactly once");
        assertTrue(api.restoreErrors().isEmpty());
    }

    @Test
    void aFailingAfterRestoreStepGoesToRestoreErrorAndEndsTheEnvironmentBeforeAnyNext() throws Exception {
        CompletableFuture<RuntimeLoop.Exit> exit = start(true,
                step -> step.equals("afterRestore") ? new IllegalStateException("no fresh credentials") : null);

        assertEquals(RuntimeLoop.Exit.RESTORE_FAILED, exit.get(10, TimeUnit.SECONDS));
        assertEquals(1, api.restoreErrors().size());
        String report = api.restoreErrors().getFirst();
        assertTrue(report.startsWith("Runtime.AfterRestoreError "), report);
        JsonNode body = Json.MAPPER.readTree(report.substring(report.indexOf(' ') + 1));
        assertEquals("no fresh credentials", body.get("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", body.get("errorType").asText());
        assertEquals(0, api.nextCalls(), "a discarded environment asks for no invocation");
        assertEquals(List.of("init", "beforeCheckpoint", "afterRestore"), steps);
        assertTrue(runtimeLog.toString(StandardCharsets.UTF_8).contains("after the restore"), runtimeLog.toString());
    }

    @Test
    void aFailingBeforeSnapshotStepIsAnInitErrorAndNoSnapshotIsAskedFor() throws Exception {
        CompletableFuture<RuntimeLoop.Exit> exit = start(true,
                step -> step.equals("beforeCheckpoint") ? new IOException("priming broke") : null);

        assertEquals(RuntimeLoop.Exit.INIT_FAILED, exit.get(10, TimeUnit.SECONDS));
        assertEquals(1, api.initErrors().size());
        assertEquals("priming broke", Json.MAPPER.readTree(api.initErrors().getFirst()).get("errorMessage").asText());
        assertEquals(0, api.restoreNextCalls());
        assertEquals(0, api.nextCalls());
    }

    @Test
    void withoutSnapStartThereIsNoRestoreCallAndNoHookRuns() throws Exception {
        start(false, step -> null);

        assertEquals("ok", invoke("\"only\""));

        assertEquals(0, api.restoreNextCalls());
        assertEquals(List.of("init", "invoke \"only\""), steps);
    }
}

package io.llmrelay.runtime;

import io.llmrelay.testing.Background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lambda Managed Instances through the real entry point ({@link LambdaMain#run}, the handler named
 * by {@code _HANDLER}) against the Jetty Runtime API: {@code AWS_LAMBDA_MAX_CONCURRENCY=4} gives four
 * {@code next} calls outstanding at once, four streams open at once whose chunks interleave, one
 * handler instance made once, shared by four loop threads.
 */
@Timeout(30)
class MultiConcurrencyTest {
    private LocalRuntimeApi api;
    private CompletableFuture<Integer> exitStatus;

    /** The function: made by name, as on Lambda, so it talks to the test through statics. */
    public static final class GatedHandler implements RequestStreamHandler {
        static final AtomicInteger INSTANCES = new AtomicInteger();
        static final Set<String> THREADS = ConcurrentHashMap.newKeySet();
        static volatile CountDownLatch secondChunk = new CountDownLatch(1);
        static volatile CountDownLatch end = new CountDownLatch(1);

        public GatedHandler() {
            INSTANCES.incrementAndGet();
        }

        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            THREADS.add(Thread.currentThread().getName());
            String name = new String(input.readAllBytes(), StandardCharsets.UTF_8);
            output.write((name + ":1;").getBytes(StandardCharsets.UTF_8));
            output.flush();
            await(secondChunk); // held until the test has every stream's first chunk in hand
            output.write((name + ":2;").getBytes(StandardCharsets.UTF_8));
            output.flush();
            await(end);
        }

        private static void await(CountDownLatch gate) throws IOException {
            try {
                if (!gate.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        api = LocalRuntimeApi.start();
        GatedHandler.INSTANCES.set(0);
        GatedHandler.THREADS.clear();
        GatedHandler.secondChunk = new CountDownLatch(1);
        GatedHandler.end = new CountDownLatch(1);
    }

    @AfterEach
    void stop() throws Exception {
        GatedHandler.secondChunk.countDown();
        GatedHandler.end.countDown();
        api.close(); // the loops' next calls are refused: LambdaMain returns
        if (exitStatus != null) {
            assertEquals(1, exitStatus.get(10, TimeUnit.SECONDS), "a refused next ends the process with 1");
        }
    }

    private void startLambda(Map<String, String> extra) {
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "AWS_LAMBDA_RUNTIME_API", api.address(),
                "_HANDLER", GatedHandler.class.getName(),
                "AWS_LAMBDA_FUNCTION_NAME", "relay-test"));
        env.putAll(extra);
        exitStatus = CompletableFuture.supplyAsync(() -> LambdaMain.run(env), Background.THREADS);
    }

    /** Waits (bounded by the test's timeout) until {@code count} runtime loops wait in next. */
    private void awaitIdle(int count) throws InterruptedException {
        while (api.idleEnvironments() < count) {
            Thread.sleep(1);
        }
    }

    @Test
    void fourLoopsWaitInNextAtOnceAndFourStreamsInterleave() throws Exception {
        startLambda(Map.of("AWS_LAMBDA_MAX_CONCURRENCY", "4"));
        awaitIdle(4);
        assertEquals(4, api.idleEnvironments(), "four next calls outstanding at once");
        assertEquals(4, api.nextCalls());

        List<PendingInvocation.Streamed> streams = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            PendingInvocation invocation = api.submit(("s" + i).getBytes(StandardCharsets.UTF_8), 60_000);
            streams.add(assertInstanceOf(PendingInvocation.Streamed.class, invocation.result().get(10, TimeUnit.SECONDS)));
        }
        // Every stream's first chunk arrives while all four handlers are still running (none can go
        // on before the gate opens), so the four responses are open at once.
        for (int i = 0; i < 4; i++) {
            assertEquals("s" + i + ":1;", read(streams.get(i), 5));
        }
        assertTrue(streams.stream().noneMatch(s -> s.completion().isDone()), "no stream has ended yet");
        GatedHandler.secondChunk.countDown();
        for (int i = 3; i >= 0; i--) {
            assertEquals("s" + i + ":2;", read(streams.get(i), 5)); // read in the other order: they interleave
        }
        GatedHandler.end.countDown();
        for (PendingInvocation.Streamed stream : streams) {
            assertTrue(stream.completion().get(10, TimeUnit.SECONDS).succeeded());
            assertEquals(-1, stream.body().read());
        }
        assertEquals(1, GatedHandler.INSTANCES.get(), "one handler, made once, shared by the loops");
        assertEquals(4, GatedHandler.THREADS.size(), "four loop threads: " + GatedHandler.THREADS);
        awaitIdle(4); // and all four loops are back in next
    }

    @Test
    void theDefaultIsOneLoop() throws Exception {
        startLambda(Map.of());
        awaitIdle(1);
        PendingInvocation first = api.submit("a".getBytes(StandardCharsets.UTF_8), 60_000);
        PendingInvocation.Streamed stream = assertInstanceOf(PendingInvocation.Streamed.class,
                first.result().get(10, TimeUnit.SECONDS));
        assertEquals("a:1;", read(stream, 4));
        // The one loop is busy: a second invocation waits in the queue, nobody takes it.
        PendingInvocation second = api.submit("b".getBytes(StandardCharsets.UTF_8), 60_000);
        assertEquals(1, api.queuedInvocations());
        assertEquals(0, api.idleEnvironments());
        assertEquals(1, api.nextCalls());
        GatedHandler.secondChunk.countDown();
        GatedHandler.end.countDown();
        assertTrue(stream.completion().get(10, TimeUnit.SECONDS).succeeded());
        assertInstanceOf(PendingInvocation.Streamed.class, second.result().get(10, TimeUnit.SECONDS));
        assertEquals(1, GatedHandler.THREADS.size());
    }

    @Test
    void maxConcurrencyIsReadAsTheManagedRuntimeReadsIt() {
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(warnings, true, StandardCharsets.UTF_8);
        assertEquals(1, LambdaMain.loops(Map.of(), out));
        assertEquals(4, LambdaMain.loops(Map.of("AWS_LAMBDA_MAX_CONCURRENCY", " 4 "), out));
        assertEquals(1000, LambdaMain.loops(Map.of("AWS_LAMBDA_MAX_CONCURRENCY", "1000"), out));
        for (String bad : List.of("0", "-2", "1001", "four", "4.5")) {
            warnings.reset();
            assertEquals(1, LambdaMain.loops(Map.of("AWS_LAMBDA_MAX_CONCURRENCY", bad), out), bad);
            assertTrue(warnings.toString(StandardCharsets.UTF_8).contains("running one loop"), bad);
        }
    }

    /** Exactly {@code n} bytes of the stream, as they arrive. */
    private static String read(PendingInvocation.Streamed stream, int n) throws IOException {
        return new String(stream.body().readNBytes(n), StandardCharsets.UTF_8);
    }
}

package io.llmrelay.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.functionurl.FunctionUrlHandler;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.FunctionUrlResponse;
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
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime loop against a Runtime API served by Jetty: Jetty's HTTP/1.1 parser, not ours,
 * decodes the chunked responses and trailers that our client writes.
 */
@Timeout(30)
class RuntimeLoopTest {
    private LocalRuntimeApi api;
    private Thread loopThread;
    private RuntimeLoop loop;
    private final BlockingQueue<RuntimeLoop.Exit> exits = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream runtimeLog = new ByteArrayOutputStream();

    @BeforeEach
    void startApi() throws Exception {
        api = LocalRuntimeApi.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.stop(); // a loop left waiting in next would otherwise outlive the Runtime API
        }
        api.close();
        if (loopThread != null) {
            loopThread.join(5_000);
        }
    }

    private void startLoop(HandlerFactory factory) {
        RuntimeApiClient client = new RuntimeApiClient(api.address(), "test");
        FunctionEnvironment function = new FunctionEnvironment("relay-test", "7", 512, "/aws/lambda/relay-test", "stream-1");
        loop = new RuntimeLoop(client, factory, function, System::currentTimeMillis,
                new PrintStream(runtimeLog, true, StandardCharsets.UTF_8));
        RuntimeLoop started = loop;
        loopThread = new Thread(() -> exits.add(started.run()), "runtime-loop");
        loopThread.setDaemon(true);
        loopThread.start();
    }

    private static PendingInvocation.Streamed streamed(PendingInvocation invocation) throws Exception {
        return assertInstanceOf(PendingInvocation.Streamed.class, invocation.result().get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFlushedChunkReachesTheRuntimeApiWhileTheHandlerIsStillRunning() throws Exception {
        CountDownLatch chunkSeen = new CountDownLatch(1);
        startLoop(() -> (in, out, ctx) -> {
            out.write("first".getBytes(StandardCharsets.UTF_8));
            out.flush();
            try {
                // The handler cannot go on until the test has the first chunk in hand.
                assertTrue(chunkSeen.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            out.write(" second".getBytes(StandardCharsets.UTF_8));
        });
        PendingInvocation invocation = api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000);
        PendingInvocation.Streamed response = streamed(invocation);
        byte[] buffer = new byte[100];
        int n = response.body().read(buffer);
        assertEquals("first", new String(buffer, 0, n, StandardCharsets.UTF_8));
        chunkSeen.countDown();
        assertEquals(" second", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        PendingInvocation.StreamEnd end = response.completion().get(10, TimeUnit.SECONDS);
        assertTrue(end.succeeded());
        assertEquals(12, end.bodyBytes());
        assertEquals("streaming", response.requestHeaders().get("lambda-runtime-function-response-mode"));
        assertEquals("chunked", response.requestHeaders().get("transfer-encoding"));
        assertEquals("Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
                response.requestHeaders().get("trailer"));
        assertEquals(invocation.invocationId(), response.requestHeaders().get("lambda-runtime-invocation-id"));
    }

    @Test
    void aFunctionUrlResponseSendsPreludeEightNulsAndBody() throws Exception {
        startLoop(() -> new FunctionUrlHandler() {
            @Override
            protected void handle(FunctionUrlRequest request, FunctionUrlResponse response, Context context)
                    throws IOException {
                response.status(201).header("Content-Type", "text/event-stream").header("x-path", request.rawPath());
                response.body().write("data: hi\n\n".getBytes(StandardCharsets.UTF_8));
            }

            @Override
            protected void rejectInvalidEvent(String message, FunctionUrlResponse response) throws IOException {
                response.send(400, "text/plain", message.getBytes(StandardCharsets.UTF_8));
            }
        });
        String event = "{\"version\":\"2.0\",\"rawPath\":\"/v1/x\",\"requestContext\":{\"http\":{\"method\":\"GET\"}}}";
        PendingInvocation.Streamed response = streamed(api.submit(event.getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("application/vnd.awslambda.http-integration-response", response.contentType());
        byte[] raw = response.body().readAllBytes();
        int nul = indexOf(raw, (byte) 0);
        JsonNode prelude = Json.MAPPER.readTree(new String(raw, 0, nul, StandardCharsets.UTF_8));
        assertEquals(201, prelude.get("statusCode").asInt());
        assertEquals("text/event-stream", prelude.get("headers").get("content-type").asText());
        assertEquals("/v1/x", prelude.get("headers").get("x-path").asText());
        assertTrue(prelude.get("cookies").isArray());
        assertArrayEquals(new byte[8], java.util.Arrays.copyOfRange(raw, nul, nul + 8));
        assertEquals("data: hi\n\n", new String(raw, nul + 8, raw.length - nul - 8, StandardCharsets.UTF_8));
        assertTrue(response.completion().get(10, TimeUnit.SECONDS).succeeded());
    }

    @Test
    void aFailureBeforeAnyByteIsPostedToErrorAndTheLoopServesTheNextInvocation() throws Exception {
        startLoop(() -> (in, out, ctx) -> {
            String event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (event.contains("fail")) {
                throw new IllegalStateException("upstream exploded");
            }
            out.write("ok".getBytes(StandardCharsets.UTF_8));
        });
        PendingInvocation failing = api.submit("\"fail\"".getBytes(StandardCharsets.UTF_8), 60_000);
        PendingInvocation.Failed failed = assertInstanceOf(PendingInvocation.Failed.class,
                failing.result().get(10, TimeUnit.SECONDS));
        assertEquals("Runtime.Unhandled", failed.errorType());
        JsonNode body = Json.MAPPER.readTree(failed.errorBody());
        assertEquals("upstream exploded", body.get("errorMessage").asText());
        assertEquals("java.lang.IllegalStateException", body.get("errorType").asText());
        assertTrue(body.get("stackTrace").isArray());
        assertEquals(failing.invocationId(), failed.requestHeaders().get("lambda-runtime-invocation-id"));

        PendingInvocation.Streamed next = streamed(api.submit("\"ok\"".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("ok", new String(next.body().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aFailureAfterBytesEndsTheStreamWithErrorTrailers() throws Exception {
        startLoop(() -> (in, out, ctx) -> {
            String event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            out.write("partial".getBytes(StandardCharsets.UTF_8));
            if (event.contains("fail")) {
                throw new IOException("upstream cut the stream");
            }
        });
        PendingInvocation.Streamed broken = streamed(api.submit("\"fail\"".getBytes(StandardCharsets.UTF_8), 60_000));
        byte[] buffer = new byte[7];
        assertEquals(7, broken.body().readNBytes(buffer, 0, 7));
        assertEquals("partial", new String(buffer, StandardCharsets.UTF_8));
        PendingInvocation.StreamEnd end = broken.completion().get(10, TimeUnit.SECONDS);
        assertEquals("Runtime.StreamError", end.errorType());
        JsonNode body = Json.MAPPER.readTree(end.errorBody());
        assertEquals("upstream cut the stream", body.get("errorMessage").asText());
        assertEquals("java.io.IOException", body.get("errorType").asText());

        PendingInvocation.Streamed next = streamed(api.submit("\"ok\"".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("partial", new String(next.body().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(next.completion().get(10, TimeUnit.SECONDS).succeeded());
    }

    /**
     * The connection breaks under the handler's writes (here: nobody reads the response any more,
     * so the Runtime API resets it, as serve does for a caller that hung up). The handler hears it
     * from its write; the loop adds no line of its own unless the handler then fails with something
     * else, and goes on with the next invocation.
     */
    @Test
    void aResponseWhoseConnectionBrokeUnderTheHandlersWritesGetsNoLineUnlessAnotherFailureFollows() throws Exception {
        Map<String, CountDownLatch> readerGone = Map.of("\"handled\"", new CountDownLatch(1),
                "\"rethrown\"", new CountDownLatch(1), "\"bug\"", new CountDownLatch(1));
        startLoop(() -> (in, out, ctx) -> {
            String event = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            out.write("first".getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (!readerGone.containsKey(event)) {
                return;
            }
            try {
                assertTrue(readerGone.get(event).await(10, TimeUnit.SECONDS));
                for (int i = 0; i < 1_000_000; i++) { // until the reset arrives: a few writes
                    out.write("more".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            } catch (IOException broken) {
                if (event.contains("rethrown")) {
                    throw broken;
                }
                if (event.contains("bug")) {
                    throw new IllegalStateException("a bug after the break");
                }
                return; // told, and dealt with (the relay logs caller_disconnected)
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        });
        String bugId = null;
        for (String event : List.of("\"handled\"", "\"rethrown\"", "\"bug\"")) {
            PendingInvocation invocation = api.submit(event.getBytes(StandardCharsets.UTF_8), 60_000);
            PendingInvocation.Streamed response = streamed(invocation);
            assertEquals("first", new String(response.body().readNBytes(5), StandardCharsets.UTF_8));
            response.body().close(); // nobody reads on: the Runtime API resets the function's connection
            readerGone.get(event).countDown();
            assertFalse(response.completion().get(10, TimeUnit.SECONDS).succeeded(), event);
            bugId = invocation.requestId();
        }
        PendingInvocation.Streamed next = streamed(api.submit("\"ok\"".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("first", new String(next.body().readAllBytes(), StandardCharsets.UTF_8), "the loop went on");
        assertTrue(next.completion().get(10, TimeUnit.SECONDS).succeeded());

        List<String> lines = runtimeLog.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), "one line, for the bug only: " + lines);
        assertTrue(lines.get(0).startsWith("llm-relay runtime: invocation " + bugId + " failed after "), lines.get(0));
        assertTrue(lines.get(0).endsWith("java.lang.IllegalStateException: a bug after the break"), lines.get(0));
    }

    @Test
    void aHandlerThatWritesNothingSendsAnEmptyStreamedResponse() throws Exception {
        startLoop(() -> (in, out, ctx) -> { });
        PendingInvocation.Streamed response = streamed(api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals(0, response.body().readAllBytes().length);
        assertTrue(response.completion().get(10, TimeUnit.SECONDS).succeeded());
    }

    @Test
    void aHandlerThatClosesItsStreamAndThenFailsStillCompletesAndTheLoopGoesOn() throws Exception {
        startLoop(() -> (in, out, ctx) -> {
            out.write("done".getBytes(StandardCharsets.UTF_8));
            out.close();
            throw new IllegalStateException("late failure");
        });
        PendingInvocation.Streamed first = streamed(api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("done", new String(first.body().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(first.completion().get(10, TimeUnit.SECONDS).succeeded());
        PendingInvocation.Streamed second = streamed(api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("done", new String(second.body().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theContextCarriesTheInvocationHeadersAndTheFunctionEnvironment() throws Exception {
        BlockingQueue<Map<String, Object>> seen = new LinkedBlockingQueue<>();
        startLoop(() -> (in, out, ctx) -> seen.add(Map.of(
                "requestId", ctx.getAwsRequestId(),
                "arn", ctx.getInvokedFunctionArn(),
                "remaining", ctx.getRemainingTimeInMillis(),
                "name", ctx.getFunctionName(),
                "version", ctx.getFunctionVersion(),
                "memory", ctx.getMemoryLimitInMB(),
                "logGroup", ctx.getLogGroupName(),
                "trace", System.getProperty("com.amazonaws.xray.traceHeader"))));
        PendingInvocation invocation = api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000);
        streamed(invocation).completion().get(10, TimeUnit.SECONDS);
        Map<String, Object> context = seen.poll(10, TimeUnit.SECONDS);
        assertEquals(invocation.requestId(), context.get("requestId"));
        assertEquals(LocalRuntimeApi.FUNCTION_ARN, context.get("arn"));
        int remaining = (Integer) context.get("remaining");
        assertTrue(remaining > 50_000 && remaining <= 60_000, "remaining " + remaining);
        assertEquals("relay-test", context.get("name"));
        assertEquals("7", context.get("version"));
        assertEquals(512, context.get("memory"));
        assertEquals("/aws/lambda/relay-test", context.get("logGroup"));
        assertTrue(((String) context.get("trace")).startsWith("Root=1-"));
    }

    @Test
    void anInitFailureIsPostedToInitErrorAndEndsTheLoop() throws Exception {
        startLoop(HandlerFactory.named("com.example.DoesNotExist"));
        assertEquals(RuntimeLoop.Exit.INIT_FAILED, exits.poll(10, TimeUnit.SECONDS));
        assertEquals(1, api.initErrors().size());
        JsonNode body = Json.MAPPER.readTree(api.initErrors().get(0));
        assertTrue(body.get("errorMessage").asText().contains("com.example.DoesNotExist"));
    }

    @Test
    void aHandlerNamedByTheHandlerSettingIsLoaded() throws Exception {
        startLoop(HandlerFactory.named(EchoHandler.class.getName() + "::handleRequest"));
        PendingInvocation.Streamed response = streamed(api.submit("echo me".getBytes(StandardCharsets.UTF_8), 60_000));
        assertEquals("echo me", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        assertFalse(exits.poll(100, TimeUnit.MILLISECONDS) != null, "the loop must keep running");
        assertNull(exits.peek());
    }

    private void awaitIdleInNext() {
        while (api.idleEnvironments() == 0) {
            Thread.onSpinWait();
        }
    }

    private String log() {
        return runtimeLog.toString(StandardCharsets.UTF_8);
    }

    @Test
    void whenTheRuntimeApiGoesAwayTheLoopSaysSoAndStops() throws Exception {
        startLoop(() -> (in, out, ctx) -> { });
        awaitIdleInNext();
        api.close();
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, exits.poll(10, TimeUnit.SECONDS));
        assertTrue(log().startsWith("llm-relay runtime: next failed, stopping: "), log());
    }

    @Test
    void aLoopStoppedWhileWaitingInNextEndsAtOnceAndQuietly() throws Exception {
        startLoop(() -> (in, out, ctx) -> { });
        awaitIdleInNext();
        loop.stop();
        assertEquals(RuntimeLoop.Exit.STOPPED, exits.poll(10, TimeUnit.SECONDS));
        assertEquals("", log());
    }

    @Test
    void aLoopStoppedDuringAnInvocationCompletesItAndAsksForNoOther() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        startLoop(() -> (in, out, ctx) -> {
            running.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            out.write("finished".getBytes(StandardCharsets.UTF_8));
        });
        PendingInvocation invocation = api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        loop.stop();
        release.countDown();
        PendingInvocation.Streamed response = streamed(invocation);
        assertEquals("finished", new String(response.body().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(response.completion().get(10, TimeUnit.SECONDS).succeeded());
        assertEquals(RuntimeLoop.Exit.STOPPED, exits.poll(10, TimeUnit.SECONDS));
        assertEquals(0, api.idleEnvironments(), "a stopped loop asks for no other invocation");
        assertEquals("", log());
    }

    public static final class EchoHandler implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            input.transferTo(output);
        }
    }

    private static int indexOf(byte[] data, byte value) {
        for (int i = 0; i < data.length; i++) {
            if (data[i] == value) {
                return i;
            }
        }
        return -1;
    }
}

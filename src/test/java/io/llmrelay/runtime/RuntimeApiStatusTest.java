package io.llmrelay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every status from 200 to 599 on each Runtime API call, as aws-lambda-go tests its client
 * (lambda/runtime_api_client_test.go, TestStatusCodes), but through the whole loop: what the
 * loop does next for each (the table on {@link RuntimeLoop}). The replies come from Jetty, a real
 * HTTP/1.1 server; one server serves every case.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeApiStatusTest {
    private static final FunctionEnvironment FUNCTION = new FunctionEnvironment("f", "1", 128, "/g", "s");
    private static final RequestStreamHandler ECHO = (in, out, ctx) -> in.transferTo(out);
    private static StatusApi api;

    @BeforeAll
    static void start() throws Exception {
        api = new StatusApi();
    }

    @AfterAll
    static void stop() throws Exception {
        api.server.stop();
    }

    private record Run(RuntimeLoop.Exit exit, List<String> calls, String log) {}

    private static Run run(HandlerFactory handlers) {
        api.calls.clear();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RuntimeLoop loop = new RuntimeLoop(new RuntimeApiClient(api.address(), "test"), handlers, FUNCTION,
                System::currentTimeMillis, new PrintStream(log, true, StandardCharsets.UTF_8));
        RuntimeLoop.Exit exit = loop.run();
        return new Run(exit, List.copyOf(api.calls), log.toString(StandardCharsets.UTF_8));
    }

    private static String nextFailed(int status) {
        return "llm-relay runtime: next failed, stopping: io.llmrelay.runtime.RuntimeApiStatusException: Runtime API"
                + " answered " + status + " to next";
    }

    @Test
    void nextSucceedsOnlyOn200AndAnyOtherStatusEndsTheLoop() {
        for (int status = 200; status < 600; status++) {
            api.script(List.of(status, 503), 202, 202, 202);
            Run run = run(() -> ECHO);
            assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, run.exit(), "next " + status);
            if (status == 200) {
                assertEquals(List.of("GET next", "POST response", "GET next"), run.calls(), "next 200");
                assertTrue(run.log().startsWith(nextFailed(503)), run.log());
            } else {
                assertEquals(List.of("GET next"), run.calls(), "next " + status);
                assertTrue(run.log().startsWith(nextFailed(status)), run.log());
            }
            assertEquals(1, run.log().lines().count(), run.log());
        }
    }

    @Test
    void aResponseSucceedsOnlyOn202AndAnyOtherStatusIsLoggedAndTheLoopGoesOn() {
        for (int status = 200; status < 600; status++) {
            api.script(List.of(200, 503), status, 202, 202);
            assertPostOutcome(run(() -> ECHO), "response", status);
        }
    }

    @Test
    void anErrorReportSucceedsOnlyOn202AndAnyOtherStatusIsLoggedAndTheLoopGoesOn() {
        RequestStreamHandler failing = (in, out, ctx) -> {
            throw new IllegalStateException("handler failed");
        };
        for (int status = 200; status < 600; status++) {
            api.script(List.of(200, 503), 202, status, 202);
            Run run = run(() -> failing);
            assertTrue(run.log().startsWith("llm-relay runtime: invocation "), run.log());
            assertPostOutcome(run, "error", status);
        }
    }

    private static void assertPostOutcome(Run run, String call, int status) {
        String what = call + " " + status;
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, run.exit(), what);
        String answered = "io.llmrelay.runtime.RuntimeApiStatusException: Runtime API answered " + status + " to " + call;
        if (status == 202) {
            assertEquals(List.of("GET next", "POST " + call, "GET next"), run.calls(), what);
            assertTrue(run.log().contains(nextFailed(503)), run.log());
            assertTrue(!run.log().contains("to " + call), run.log());
        } else {
            assertEquals(List.of("GET next", "POST " + call, "GET next"), run.calls(), what);
            assertTrue(run.log().contains("llm-relay runtime: the Runtime API refused the " + call + " of "), run.log());
            assertTrue(run.log().contains(answered), run.log());
            assertTrue(run.log().contains(nextFailed(503)), run.log());
        }
    }

    @Test
    void anInitErrorEndsTheLoopWhateverTheAnswerAndAnyAnswerBut202IsLogged() {
        for (int status = 200; status < 600; status++) {
            api.script(List.of(), 202, 202, status);
            Run run = run(() -> {
                throw new IllegalStateException("no config");
            });
            assertEquals(RuntimeLoop.Exit.INIT_FAILED, run.exit(), "init/error " + status);
            assertEquals(List.of("POST init/error"), run.calls(), "init/error " + status);
            assertTrue(run.log().startsWith("llm-relay runtime: init failed: java.lang.IllegalStateException: no config"),
                    run.log());
            boolean complained = run.log().contains("llm-relay runtime: could not report the init error: "
                    + "io.llmrelay.runtime.RuntimeApiStatusException: Runtime API answered " + status + " to init/error");
            assertEquals(status != 202, complained, run.log());
        }
    }

    /** Answers each call with the status the test scripted; {@code next} takes its statuses in turn, then 500. */
    private static final class StatusApi extends Handler.Abstract {
        private final Server server = new Server();
        private final ServerConnector connector = new ServerConnector(server, 1, 1);
        final List<String> calls = new CopyOnWriteArrayList<>();
        private final Queue<Integer> nextStatuses = new ConcurrentLinkedQueue<>();
        private volatile int responseStatus;
        private volatile int errorStatus;
        private volatile int initErrorStatus;

        StatusApi() throws Exception {
            connector.setHost("127.0.0.1");
            server.addConnector(connector);
            server.setHandler(this);
            server.start();
        }

        String address() {
            return "127.0.0.1:" + connector.getLocalPort();
        }

        void script(List<Integer> next, int response, int error, int initError) {
            nextStatuses.clear();
            nextStatuses.addAll(next);
            responseStatus = response;
            errorStatus = error;
            initErrorStatus = initError;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Content.Source.asString(request, StandardCharsets.UTF_8); // the whole request, trailers included
            String path = Request.getPathInContext(request);
            String call = path.endsWith("/next") ? "next" : path.substring(path.lastIndexOf('/') + 1);
            if (path.endsWith("/init/error")) {
                call = "init/error";
            }
            calls.add(request.getMethod() + " " + call);
            int status = switch (call) {
                case "next" -> nextStatuses.isEmpty() ? 500 : nextStatuses.poll();
                case "response" -> responseStatus;
                case "error" -> errorStatus;
                default -> initErrorStatus;
            };
            response.setStatus(status);
            if (call.equals("next") && status == 200) {
                response.getHeaders().put("Lambda-Runtime-Aws-Request-Id", "req-" + System.nanoTime());
                response.getHeaders().put("Lambda-Runtime-Deadline-Ms", Long.toString(System.currentTimeMillis() + 60_000));
            }
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            byte[] body = status == 204 || status == 304 ? new byte[0]
                    : ("{\"status\":" + status + "}").getBytes(StandardCharsets.UTF_8);
            response.write(true, ByteBuffer.wrap(body), callback);
            return true;
        }
    }
}

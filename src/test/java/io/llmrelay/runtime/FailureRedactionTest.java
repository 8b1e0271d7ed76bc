package io.llmrelay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import io.llmrelay.secrets.KnownSecrets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A failure whose message, or whose cause's message, quotes a resolved key never carries the key
 * out of the process: not in the runtime's log lines (stdout, i.e. CloudWatch), not in the
 * {@code /error} or {@code /init/error} body, not in the stream's error trailer. Through the real
 * loop against the Jetty Runtime API, which decodes the trailer's base64 itself.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FailureRedactionTest {
    /** A pasted key with a zero-width space in it: the JDK refuses it in a header and quotes it whole. */
    private final String key = "sk-live/" + UUID.randomUUID() + "+\u200b=";
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private LocalRuntimeApi api;
    private RuntimeLoop runtime;
    private Thread loop;

    @BeforeEach
    void start() throws Exception {
        KnownSecrets.register(key);
        api = LocalRuntimeApi.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (runtime != null) {
            runtime.stop();
        }
        api.close();
        if (loop != null) {
            loop.join(5_000);
        }
    }

    private void startLoop(HandlerFactory handlers) {
        runtime = new RuntimeLoop(new RuntimeApiClient(api.address(), "test"), handlers,
                new FunctionEnvironment("f", "1", 128, "/g", "s"), System::currentTimeMillis,
                new PrintStream(stdout, true, StandardCharsets.UTF_8));
        loop = new Thread(runtime::run, "runtime-loop");
        loop.setDaemon(true);
        loop.start();
    }

    /** What the relay's upstream call does with a resolved key: the JDK's own exception quotes it. */
    private void buildUpstreamRequest() {
        HttpRequest.newBuilder(URI.create("http://127.0.0.1/chat")).header("Authorization", "Bearer " + key);
    }

    private RequestStreamHandler failing(boolean afterBytes, boolean jdk) {
        return (in, out, ctx) -> {
            if (afterBytes) {
                out.write("data: partial\n\n".getBytes(StandardCharsets.UTF_8));
            }
            if (jdk) {
                buildUpstreamRequest();
            }
            throw new IllegalStateException("upstream echoed Bearer " + key,
                    new IOException("cause quotes it too: " + key));
        };
    }

    /** Neither the raw text nor any string a JSON decoder reads out of it holds the key. */
    private void assertNoKey(String text, String where) throws IOException {
        assertFalse(text.contains(key), where + ": " + text);
        if (text.startsWith("{")) {
            assertFalse(Json.MAPPER.readTree(text).toString().contains(key), where);
            for (JsonNode value : Json.MAPPER.readTree(text).findValues("errorMessage")) {
                assertFalse(value.asText().contains(key), where);
            }
        }
        assertTrue(text.contains(KnownSecrets.REDACTED), where + " says what was taken out: " + text);
    }

    private String log() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aFailureBeforeAnyByteReachesErrorAndTheLogWithoutTheKey() throws Exception {
        startLoop(() -> failing(false, false));
        PendingInvocation.Failed failed = assertInstanceOf(PendingInvocation.Failed.class,
                api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000).result().get(10, TimeUnit.SECONDS));
        assertNoKey(failed.errorBody(), "/error body");
        assertTrue(failed.errorBody().contains("Caused by: java.io.IOException: cause quotes it too: [redacted]"),
                failed.errorBody());
        assertNoKey(log(), "stdout");
    }

    @Test
    void aFailureAfterBytesReachesTheTrailerAndTheLogWithoutTheKey() throws Exception {
        startLoop(() -> failing(true, false));
        PendingInvocation.Streamed streamed = assertInstanceOf(PendingInvocation.Streamed.class,
                api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000).result().get(10, TimeUnit.SECONDS));
        PendingInvocation.StreamEnd end = streamed.completion().get(10, TimeUnit.SECONDS);
        assertEquals("Runtime.StreamError", end.errorType());
        assertNoKey(end.errorBody(), "decoded trailer");
        assertNoKey(log(), "stdout");
    }

    @Test
    void theJdksInvalidHeaderValueExceptionLeavesNoKeyBeforeOrAfterBytes() throws Exception {
        IllegalArgumentException jdk = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, this::buildUpstreamRequest);
        assertTrue(jdk.getMessage().contains(key), "the JDK quotes the key: the case this test is about");
        startLoop(() -> (in, out, ctx) -> {
            if (new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("after")) {
                out.write("data: partial\n\n".getBytes(StandardCharsets.UTF_8));
            }
            buildUpstreamRequest();
        });
        PendingInvocation.Failed failed = assertInstanceOf(PendingInvocation.Failed.class,
                api.submit("\"before\"".getBytes(StandardCharsets.UTF_8), 60_000).result().get(10, TimeUnit.SECONDS));
        assertNoKey(failed.errorBody(), "/error body");
        assertTrue(failed.errorBody().contains("invalid header value"), failed.errorBody());
        PendingInvocation.Streamed streamed = assertInstanceOf(PendingInvocation.Streamed.class,
                api.submit("\"after\"".getBytes(StandardCharsets.UTF_8), 60_000).result().get(10, TimeUnit.SECONDS));
        assertNoKey(streamed.completion().get(10, TimeUnit.SECONDS).errorBody(), "decoded trailer");
        assertNoKey(log(), "stdout");
        assertTrue(log().contains("java.lang.IllegalArgumentException: invalid header value: \"Bearer [redacted]\""), log());
    }

    @Test
    void aFailureAfterTheResponseIsCompleteIsLoggedWithoutTheKey() throws Exception {
        startLoop(() -> (in, out, ctx) -> {
            out.write("done".getBytes(StandardCharsets.UTF_8));
            out.close();
            throw new IllegalStateException("late, with " + key);
        });
        PendingInvocation.Streamed streamed = assertInstanceOf(PendingInvocation.Streamed.class,
                api.submit("{}".getBytes(StandardCharsets.UTF_8), 60_000).result().get(10, TimeUnit.SECONDS));
        assertTrue(streamed.completion().get(10, TimeUnit.SECONDS).succeeded());
        // the log line is written after the response completed: wait for the loop to ask for more
        while (api.idleEnvironments() == 0) {
            Thread.onSpinWait();
        }
        assertNoKey(log(), "stdout");
    }

    @Test
    void anInitFailureReachesInitErrorAndTheLogWithoutTheKey() throws Exception {
        startLoop(() -> {
            throw new IllegalStateException("cannot use " + key, new IOException("resolved " + key));
        });
        loop.join(10_000);
        assertEquals(1, api.initErrors().size());
        assertNoKey(api.initErrors().get(0), "/init/error body");
        assertNoKey(log(), "stdout");
    }
}

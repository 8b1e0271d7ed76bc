package io.llmrelay.local;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.relay.RelaySetup;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RawHttpCaller;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * serve's output as a person reads it, at the default log level: one line per event, and every
 * line that is not a JSON request log line begins with the time. One execution environment, so
 * that the next request's answer proves the loop has finished with the one before (and said
 * whatever it was going to say about it).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeLogLinesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern STAMPED = Pattern.compile("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} \\S.*");
    private static final AtomicBoolean configOverflows = new AtomicBoolean();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
            .serving(serve -> serve.concurrency(1).queue(1).customize(setup -> new RelaySetup(overflowing(setup.config()),
                    setup.keys(), setup.authDisabled(), setup.upstreams(), setup.requestLog(), setup.logLevel(),
                    setup.pause())));

    /** The real config, unless {@link #configOverflows}: then an Error the relay does not catch. */
    private static ConfigSource overflowing(ConfigSource real) {
        return () -> {
            if (configOverflows.get()) {
                throw new StackOverflowError("config recursion");
            }
            return real.current();
        };
    }

    private static List<String> linesAbout(String requestId) {
        return served.relay().output().lines().filter(line -> line.contains(requestId)).toList();
    }

    /** A request through the one environment, answered: whatever the loop said of earlier ones is said by now. */
    private static void nextRequestServed() throws Exception {
        assertEquals(200, served.client().postChat(CHAT).statusCode());
    }

    @Test
    void aHangUpMidStreamIsOneLineTheRequestLogs() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role())
                .chunksUntilClosed(i -> Chunks.content(" token" + i), Duration.ofMillis(20), 2000));
        String requestId;
        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", CHAT));
            RawHttpCaller.Head head = caller.readHead();
            requestId = head.header("x-request-id");
            caller.readEvents(1);
            caller.reset();
        }
        String line = served.relay().awaitLine("\"requestId\":\"" + requestId + "\"", WAIT);
        assertNotNull(line, served.relay().output());
        nextRequestServed();

        assertEquals(List.of(line), linesAbout(requestId), "one line for the hang-up: " + served.relay().output());
        JsonNode logged = RelayClient.json(line);
        assertEquals("caller_disconnected", logged.path("error").asText(), line);
        assertTrue(logged.path("errorDetail").asText().startsWith("java."), "what the failed write said: " + line);
    }

    @Test
    void aCallerThatHangsUpWhileWaitingForAnEnvironmentIsOneLineServeSays() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).holdHead(gate).chunk(Chunks.content("held")).done());
        CompletableFuture<HttpResponse<String>> busy = served.client().sendAsync(served.client().chat(CHAT));
        String line;
        try {
            served.upstream().nextRequest(); // the one environment is busy with it
            try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
                caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", CHAT));
                caller.shutdownOutput();
                line = served.relay().awaitLine("before the function answered", WAIT);
            }
        } finally {
            gate.countDown();
        }
        assertEquals(200, busy.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
        nextRequestServed();

        assertNotNull(line, served.relay().output());
        Matcher id = Pattern.compile("serve: invocation (\\S+): the client went away").matcher(line);
        assertTrue(id.find(), line);
        assertEquals(List.of(line), linesAbout(id.group(1)), "no function ran it, so serve's is the one line");
        assertTrue(STAMPED.matcher(line).matches(), line);
    }

    @Test
    void serveAndRuntimeLoopLinesBeginWithTheTimeAndRequestLogLinesStayJson() throws Exception {
        configOverflows.set(true);
        HttpResponse<String> failed;
        try {
            failed = served.client().postChat(CHAT);
        } finally {
            configOverflows.set(false);
        }
        assertEquals(502, failed.statusCode(), "a function error, as a Function URL answers it: " + failed.body());
        nextRequestServed();

        String output = served.relay().output();
        String runtimeLine = output.lines().filter(line -> line.contains("llm-relay runtime: invocation")).findFirst()
                .orElseThrow(() -> new AssertionError("no runtime loop line: " + output));
        assertTrue(STAMPED.matcher(runtimeLine).matches(), runtimeLine);
        assertTrue(runtimeLine.contains("java.lang.StackOverflowError"), runtimeLine);
        List<String> afterStart = output.lines().dropWhile(line -> !line.startsWith("Listening on")).skip(1).toList();
        assertFalse(afterStart.isEmpty(), output);
        for (String line : afterStart) {
            if (line.startsWith("{")) {
                RelayClient.json(line); // a request log line: JSON, as on Lambda
            } else {
                assertTrue(STAMPED.matcher(line).matches(), "a line without the time: " + line);
            }
        }
    }
}

package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.app.RouteUpstreams;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.Invocation;
import io.llmrelay.runtime.LambdaContext;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Traces that join up, through serve: the upstream request carries the invocation's request id
 * ({@code x-request-id}, and OpenAI's {@code X-Client-Request-Id}) and a W3C {@code traceparent}
 * (https://www.w3.org/TR/trace-context/#traceparent-header) continued from the caller's, else from
 * the invocation's X-Ray header (serve's Runtime API sends one, as Lambda does), else new; the log
 * line has the trace, the caller's own id and the upstream's, each bounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TracesThroughServeTest {
    private static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])");
    private static final String CALLER_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    private static Matcher traceparent(String value) {
        assertTrue(value != null && TRACEPARENT.matcher(value).matches(), "not a version-00 traceparent: " + value);
        Matcher m = TRACEPARENT.matcher(value);
        assertTrue(m.matches());
        assertFalse(m.group(1).matches("0+") || m.group(2).matches("0+"), value);
        return m;
    }

    @Test
    void withoutACallerTraceTheXRayRootIsTheTraceId() throws Exception {
        HttpResponse<String> response = served.client().postChat(CHAT);

        FakeUpstream.Recorded sent = served.upstream().nextRequest();
        String id = LogLines.requestId(response);
        assertEquals(id, sent.header("x-request-id"));
        assertEquals(id, sent.header("x-client-request-id"), "OpenAI's own header stays");
        Matcher trace = traceparent(sent.header("traceparent"));
        // serve's Runtime API sends Root=1-<8 hex of epoch seconds>-<the request id's first 24 hex digits>
        assertTrue(trace.group(1).endsWith(id.replace("-", "").substring(0, 24)), trace.group(1) + " for " + id);
        assertEquals("00", trace.group(3), "serve's header says Sampled=0");
        JsonNode line = LogLines.requestLine(served.relay(), id);
        assertEquals(sent.header("traceparent"), line.path("traceparent").asText());
        assertFalse(line.has("callerRequestId"), line.toString());
    }

    @Test
    void aCallersTraceIsContinuedAndItsIdsKept() throws Exception {
        HttpResponse<String> response = served.client().send(served.client().chat(CHAT)
                .header("traceparent", CALLER_TRACE).header("x-request-id", "vapi-call-7f3a"));

        Matcher trace = traceparent(served.upstream().nextRequest().header("traceparent"));
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", trace.group(1));
        assertNotEquals("00f067aa0ba902b7", trace.group(2));
        assertEquals("01", trace.group(3));
        JsonNode line = LogLines.requestLine(served.relay(), LogLines.requestId(response));
        assertEquals("vapi-call-7f3a", line.path("callerRequestId").asText());
    }

    @Test
    void anInvalidCallerTraceIsIgnored() throws Exception {
        String id = LogLines.requestId(served.client().send(served.client().chat(CHAT)
                .header("traceparent", CALLER_TRACE.toUpperCase()))); // the spec wants lowercase hex
        Matcher trace = traceparent(served.upstream().nextRequest().header("traceparent"));
        assertTrue(trace.group(1).endsWith(id.replace("-", "").substring(0, 24)), "the X-Ray root instead");
        assertFalse(LogLines.requestLine(served.relay(), id).has("callerRequestId"));
    }

    @Test
    void idsFromOutsideAreBoundedBeforeTheyReachALogLine() throws Exception {
        served.upstream().enqueue(Script.sse(200).header("x-request-id", "u".repeat(129)).chunk(Chunks.role()).done());
        HttpResponse<String> longOnes = served.client().send(served.client().chat(CHAT).header("x-request-id", "c".repeat(129)));
        served.upstream().enqueue(Script.sse(200).header("x-request-id", "req_abc123").chunk(Chunks.role()).done());
        HttpResponse<String> spaced = served.client().send(served.client().chat(CHAT).header("x-request-id", "two words"));

        JsonNode line = LogLines.requestLine(served.relay(), LogLines.requestId(longOnes));
        assertFalse(line.has("callerRequestId") || line.has("upstreamRequestId"), line.toString());
        assertFalse(served.relay().output().contains("c".repeat(129)) || served.relay().output().contains("u".repeat(129)));
        JsonNode other = LogLines.requestLine(served.relay(), LogLines.requestId(spaced));
        assertFalse(other.has("callerRequestId"), other.toString());
        assertEquals("req_abc123", other.path("upstreamRequestId").asText());
        assertEquals(LogLines.requestId(longOnes), served.upstream().nextRequest().header("x-request-id"),
                "the upstream gets the relay's id, never the caller's");
        assertEquals(LogLines.requestId(spaced), served.upstream().nextRequest().header("x-request-id"));
    }

    /**
     * An invocation without an X-Ray header (no caller trace either): a new trace, not sampled.
     * The handler is called directly, with a context built from such an invocation, because
     * serve's Runtime API, like Lambda's, always sends one.
     */
    @Test
    void withNeitherTheTraceIsNew() throws Exception {
        FakeUpstream upstream = served.upstream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RelaySetup setup = new RelaySetup(ConfigSource.fixed(ConfigLoader.parse(
                RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null), "t")), KeyResolvers.standard(RelayUnderTest.upstreamKeyEnv()),
                false, RouteUpstreams.standard(RelayUnderTest.upstreamKeyEnv()), new PrintStream(log, true, StandardCharsets.UTF_8),
                LogLevel.INFO, Pause.sleeping());
        var event = Json.object();
        event.put("version", "2.0").put("rawPath", "/v1/chat/completions").put("body", CHAT).put("isBase64Encoded", false);
        event.putObject("headers").put("authorization", "Bearer " + RelayUnderTest.CALLER_KEY);
        event.putObject("requestContext").putObject("http").put("method", "POST");
        LambdaContext context = new LambdaContext(new Invocation("3f1c2a9e-0d4b-4c7e-9a51-6b2d8e0f1a2b", 0, null, null, null,
                null, null, null, Json.writeBytes(event)), new FunctionEnvironment("f", "$LATEST", 512, "", ""),
                System::currentTimeMillis);
        ByteArrayOutputStream answer = new ByteArrayOutputStream();

        new RelayHandler(setup).handleRequest(new ByteArrayInputStream(Json.writeBytes(event)), answer, context);

        assertTrue(answer.toString(StandardCharsets.UTF_8).contains("data: [DONE]"), answer.toString(StandardCharsets.UTF_8));
        FakeUpstream.Recorded sent = upstream.nextRequest();
        assertEquals("3f1c2a9e-0d4b-4c7e-9a51-6b2d8e0f1a2b", sent.header("x-request-id"));
        Matcher trace = traceparent(sent.header("traceparent"));
        assertFalse(trace.group(1).contains("3f1c2a9e0d4b4c7e9a516b2d"), "not derived from the request id");
        assertEquals("00", trace.group(3));
        assertNull(RelayClient.json(log.toString(StandardCharsets.UTF_8).lines().findFirst().orElseThrow())
                .get("callerRequestId"));
    }
}

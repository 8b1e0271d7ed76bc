package io.llmrelay.relay.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.metrics.RequestOutcome;
import io.llmrelay.openai.Usage;
import io.llmrelay.trace.TraceContext;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The request log's token counts, ids and trace, and the same request as the metrics see it. */
class RequestLogOpsTest {
    private static JsonNode line(RequestLog log) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.write(new PrintStream(out, true, StandardCharsets.UTF_8), LogLevel.INFO);
        return Json.MAPPER.readTree(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void tokensIdsAndTraceAreOnTheLineWhenKnown() throws Exception {
        RequestLog log = new RequestLog("req-1");
        log.trace(new TraceContext("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", true));
        log.callerRequestId("call-42", null);
        log.upstreamRequestId("req_abc");
        log.usage(new Usage(OptionalLong.of(120), OptionalLong.empty()));
        JsonNode line = line(log);
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", line.path("traceparent").asText());
        assertEquals("call-42", line.path("callerRequestId").asText());
        assertEquals("req_abc", line.path("upstreamRequestId").asText());
        assertEquals(120, line.path("promptTokens").asLong());
        assertFalse(line.has("completionTokens"), "a count not reported is absent, never 0");
    }

    @Test
    void theCallersIdIsItsRequestIdElseAValidTraceparentElseNone() throws Exception {
        String trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        String[][] cases = {
            {"abc", trace, "abc"},
            {null, trace, trace},
            {"two words", trace, trace},
            {"x".repeat(129), null, null},
            {"x".repeat(128), null, "x".repeat(128)},
            {"line\r\nbreak", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", null},
            {"caf\u00e9", null, null},
        };
        for (String[] c : cases) {
            RequestLog log = new RequestLog("r");
            log.callerRequestId(c[0], c[1]);
            assertEquals(c[2], line(log).path("callerRequestId").asText(null), c[0] + " / " + c[1]);
        }
    }

    @Test
    void theOutcomeCountsRetriesPerRouteAndFallbacksAndKeepsTheWholeModel() throws Exception {
        String model = "m".repeat(300);
        RequestLog log = new RequestLog("req-9");
        log.caller("vapi");
        log.route("primary", model, true);
        log.attempt("primary", "503");
        log.attempt("primary", "503");
        log.attempt("primary", "connect_failed");
        log.attempt("backup", "429");
        log.attempt("backup", "200");
        log.status(200);
        log.sent(10);
        log.usage(Usage.of(5, 6));
        JsonNode line = line(log);
        RequestOutcome outcome = log.outcome();
        assertEquals(3, outcome.retries());
        assertEquals(1, outcome.fallbacks());
        assertEquals(model, outcome.model(), "the line cuts it; the metrics get it whole, to bound their own way");
        assertEquals(line.path("durationMs").asDouble(), outcome.durationMs(), "the same clock for both lines");
        assertEquals(line.path("timeToFirstByteMs").asDouble(), outcome.timeToFirstByteMs().getAsDouble());
        assertEquals(OptionalLong.of(5), outcome.promptTokens());
        assertEquals("vapi", outcome.caller());
        assertEquals("primary", outcome.route());
    }
}

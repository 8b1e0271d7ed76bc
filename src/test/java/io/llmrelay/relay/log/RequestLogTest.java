package io.llmrelay.relay.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.app.RelaySetups;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The one-line-per-request log: its fields, and what each {@code RELAY_LOG_LEVEL} lets through. */
class RequestLogTest {

    private static String written(RequestLog log, LogLevel level) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        log.write(new PrintStream(out, true, StandardCharsets.UTF_8), level);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static RequestLog streamedRequest() {
        RequestLog log = new RequestLog("req-1");
        log.caller("vapi");
        log.route("primary", "gpt-4o-mini", true);
        log.attempt("primary", "503");
        log.retryWait(200);
        log.attempt("backup", "200");
        log.upstreamStatus(200);
        log.status(200);
        log.sent(120);
        log.sent(80);
        return log;
    }

    private static RequestLog failedRequest() {
        RequestLog log = new RequestLog("req-2");
        log.status(401);
        log.error("invalid_api_key");
        log.sent(100);
        return log;
    }

    @Test
    void aRequestLineHasEveryFieldTheIssueNames() throws Exception {
        String text = written(streamedRequest(), LogLevel.INFO);

        assertTrue(text.endsWith("\n") && text.indexOf('\n') == text.length() - 1, "exactly one line: " + text);
        JsonNode line = Json.MAPPER.readTree(text);
        Set<String> fields = new TreeSet<>();
        line.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(Set.of("log", "level", "requestId", "caller", "route", "model", "stream", "status",
                "upstreamStatus", "attempts", "upstreamRoute", "retryWaitMs", "timeToFirstByteMs", "durationMs",
                "chunks", "bytes")), fields);
        assertEquals("request", line.get("log").asText());
        assertEquals("info", line.get("level").asText());
        assertEquals("req-1", line.get("requestId").asText());
        assertEquals("vapi", line.get("caller").asText());
        assertEquals("primary", line.get("route").asText());
        assertEquals("backup", line.get("upstreamRoute").asText());
        assertEquals(2, line.get("attempts").asInt());
        assertEquals(200, line.get("retryWaitMs").asInt());
        assertEquals(2, line.get("chunks").asInt());
        assertEquals(200, line.get("bytes").asInt());
        assertTrue(line.get("timeToFirstByteMs").asDouble() <= line.get("durationMs").asDouble());
    }

    @Test
    void aFailedRequestIsAnErrorLineWithItsErrorCode() throws Exception {
        JsonNode line = Json.MAPPER.readTree(written(failedRequest(), LogLevel.INFO));

        assertEquals("error", line.get("level").asText());
        assertEquals("invalid_api_key", line.get("error").asText());
        assertEquals(401, line.get("status").asInt());
    }

    @Test
    void aFailedRequestLineSaysWhyTheLastAttemptFailedAndDebugSaysItPerAttempt() throws Exception {
        RequestLog log = new RequestLog("req-4");
        log.route("primary", "gpt-4o-mini", true);
        log.attempt("primary", "connect_failed", "cannot reach upstream http://10.0.0.1:8080: Connection refused");
        log.attempt("backup", "key_unavailable", "route 'backup': environment variable K is not set");
        log.status(503);
        log.error("upstream_key_unavailable");

        JsonNode info = Json.MAPPER.readTree(written(log, LogLevel.INFO));
        assertEquals("route 'backup': environment variable K is not set", info.get("errorDetail").asText());
        assertFalse(info.has("attemptLog"));
        JsonNode debug = Json.MAPPER.readTree(written(log, LogLevel.DEBUG));
        assertEquals("cannot reach upstream http://10.0.0.1:8080: Connection refused",
                debug.get("attemptLog").get(0).get("detail").asText());

        log.errorDetail("java.lang.IllegalStateException: " + "x".repeat(10_000));
        assertTrue(Json.MAPPER.readTree(written(log, LogLevel.INFO)).get("errorDetail").asText().length() <= 510,
                "an exception's message is cut short");
        assertFalse(Json.MAPPER.readTree(written(streamedRequest(), LogLevel.DEBUG)).has("errorDetail"),
                "a request that succeeded has no error detail");
    }

    @Test
    void eachLevelLetsThroughWhatItSays() {
        assertEquals("", written(streamedRequest(), LogLevel.OFF));
        assertEquals("", written(failedRequest(), LogLevel.OFF));
        assertEquals("", written(streamedRequest(), LogLevel.ERROR), "a successful request is not an error");
        assertFalse(written(failedRequest(), LogLevel.ERROR).isEmpty());
        assertFalse(written(streamedRequest(), LogLevel.INFO).contains("attemptLog"));
        assertTrue(written(streamedRequest(), LogLevel.DEBUG).contains(
                "\"attemptLog\":[{\"route\":\"primary\",\"outcome\":\"503\""));
    }

    @Test
    void aHugeModelNameIsCutShortInTheLog() throws Exception {
        RequestLog log = new RequestLog("req-3");
        log.route("primary", "m".repeat(100_000), true);

        JsonNode line = Json.MAPPER.readTree(written(log, LogLevel.INFO));

        assertTrue(line.get("model").asText().length() <= 210, "model logged with " + line.get("model").asText().length() + " chars");
    }

    @Test
    void logLevelsAreReadFromTheEnvironmentInAnyCase() {
        assertEquals(LogLevel.INFO, LogLevel.parse(null));
        assertEquals(LogLevel.INFO, LogLevel.parse(" "));
        assertEquals(LogLevel.DEBUG, LogLevel.parse("Debug"));
        assertEquals(LogLevel.OFF, LogLevel.parse("off"));
        assertEquals(LogLevel.ERROR, LogLevel.parse(" ERROR "));
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> LogLevel.parse("verbose"));
        assertTrue(wrong.getMessage().contains("RELAY_LOG_LEVEL"), wrong.getMessage());
    }

    @Test
    void anUnknownLevelIsReportedAndReadAsInfoRatherThanStoppingTheRelay() {
        ByteArrayOutputStream warnings = new ByteArrayOutputStream();

        LogLevel level = RelaySetups.logLevel(Map.of(LogLevel.ENV, "loud"), new PrintStream(warnings, true, StandardCharsets.UTF_8));

        assertEquals(LogLevel.INFO, level);
        assertTrue(warnings.toString(StandardCharsets.UTF_8).contains("RELAY_LOG_LEVEL"), warnings.toString(StandardCharsets.UTF_8));
    }
}

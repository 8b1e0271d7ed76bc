package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.secrets.KnownSecrets;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.openai.OpenAiUpstream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An exception that escapes the request path (a bug, or something no code foresaw) is still one
 * request log line with its status, {@code internal_error} and the exception's type and message
 * with every known key redacted; the caller still gets the error contract; the key in the
 * exception's message reaches neither the caller nor the output (on main, the runtime printed it
 * and reported it to Lambda); and the function goes on serving.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayEscapedFailureTest {
    /** A resolved key the failing code quotes; registered as every resolved key is. */
    private static final String SECRET = "sk-test-escaped-SECRET-7d1e0f";
    private static final AtomicBoolean configBreaks = new AtomicBoolean();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true"),
            RelayUnderTest.route("breaking", "http://127.0.0.1:9/breaking/v1", "[\"breaking-model\"]", "\"retries\": 0")))
            .serving(serve -> serve.customize(setup -> new RelaySetup(breakable(setup.config()), setup.keys(),
                    setup.authDisabled(), breakingMidStream(setup.upstreams()), setup.requestLog(), setup.logLevel(),
                    setup.pause())));

    /** The real config, unless {@link #configBreaks}: then an exception that quotes the key. */
    private static ConfigSource breakable(ConfigSource real) {
        return () -> {
            if (configBreaks.get()) {
                throw new IllegalStateException("config store returned garbage near " + SECRET);
            }
            return real.current();
        };
    }

    /** Route "breaking" gets one good event, then a read that throws (not an IOException) quoting the key. */
    private static Upstreams breakingMidStream(Upstreams real) {
        return (route, notes) -> request -> {
            if (!request.baseUrl().getPath().startsWith("/breaking")) {
                return real.forRoute(route, notes).open(request);
            }
            InputStream first = new ByteArrayInputStream(("data: " + Chunks.role() + "\n\n").getBytes(StandardCharsets.UTF_8));
            InputStream broken = new InputStream() {
                @Override
                public int read() {
                    throw new IllegalStateException("decoder lost its place in a body for key " + SECRET);
                }
            };
            // Read by the real OpenAI-compatible adapter, as any upstream's stream is.
            return new OpenAiUpstream(sent -> new UpstreamResponse(200, Map.of("content-type", "text/event-stream"),
                    new SequenceInputStream(first, broken))).open(request);
        };
    }

    @Test
    void anExceptionBeforeTheFirstByteIsA500InternalErrorLoggedWithTheKeyRedacted() throws Exception {
        KnownSecrets.register(SECRET);
        configBreaks.set(true);
        HttpResponse<String> response;
        try {
            response = served.client().postChat(CHAT);
        } finally {
            configBreaks.set(false);
        }

        JsonNode error = assertOpenAiError(response, 500, "internal_error");
        assertFalse(error.get("message").asText().contains("garbage"), "the exception's words stay in the log: " + error);
        JsonNode line = LogLines.lastRequestLine(served.relay());
        assertEquals(500, line.get("status").asInt(), line.toString());
        assertEquals("internal_error", line.get("error").asText());
        assertEquals("java.lang.IllegalStateException: config store returned garbage near " + KnownSecrets.REDACTED,
                line.get("errorDetail").asText());
        assertNothingSecretAnywhere();
        assertEquals(200, served.client().postChat(CHAT).statusCode(), "the function goes on serving");
    }

    @Test
    void anExceptionMidStreamEndsTheStreamWithAnErrorEventThenDone() throws Exception {
        KnownSecrets.register(SECRET);

        HttpResponse<String> response = served.client().postChat(CHAT.replace("gpt-4o-mini", "breaking-model"));

        assertEquals(200, response.statusCode());
        List<String> events = payloads(response.body());
        assertEquals(List.of(Chunks.role()), events.subList(0, 1), response.body());
        assertErrorBody(events.get(1), "internal_error");
        assertEquals(List.of("[DONE]"), events.subList(2, events.size()), "exactly one [DONE], last");
        JsonNode line = LogLines.lastRequestLine(served.relay());
        assertEquals(200, line.get("status").asInt(), line.toString());
        assertEquals("internal_error", line.get("error").asText());
        assertTrue(line.get("errorDetail").asText().startsWith("java.lang.IllegalStateException: decoder lost its place"),
                line.toString());
        assertNothingSecretAnywhere();
        assertEquals(200, served.client().postChat(CHAT).statusCode(), "the function goes on serving");
    }

    private static void assertNothingSecretAnywhere() {
        assertFalse(served.relay().output().contains(SECRET), "serve printed the key");
        assertFalse(served.client().everythingReceived().contains(SECRET), "the key reached the caller");
    }
}

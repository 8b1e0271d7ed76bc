package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.RawHttpCaller;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every request that reaches serve gets the relay's own answer or an OpenAI-shaped JSON error
 * with an {@code x-request-id}, never an HTML page, including requests Jetty refuses before the
 * function sees them. Paths a Function URL passes on as they came ({@code //chat/completions},
 * which a platform sends when it appends {@code /chat/completions} to a base URL ending in
 * {@code /}) reach the relay. Sent over a raw socket: HttpClient normalises or refuses several.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeRefusalsTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    /** @param status what serve answers; 200 means the relay streamed an answer */
    record Case(String name, byte[] request, int status) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case chat(String name, String target, int status) {
        return new Case(name, RawHttpCaller.chatRequest(target, RelayClient.CHAT), status);
    }

    private static Case raw(String name, String request, int status) {
        return new Case(name, request.getBytes(StandardCharsets.ISO_8859_1), status);
    }

    private static final String KEY = "Authorization: Bearer " + RelayUnderTest.CALLER_KEY + "\r\n";

    static Stream<Case> requests() {
        return Stream.of(
                chat("base URL ending in / plus /chat/completions", "//chat/completions", 200),
                chat("empty segment inside the path", "/v1//chat/completions", 200),
                chat("dot-dot segment", "/v1/../chat/completions", 200),
                chat("dot segment", "/v1/./chat/completions", 200),
                chat("bad percent-encoding", "/%zz/chat/completions", 400),
                chat("encoded slashes stay encoded, as in a Function URL's rawPath", "/v1%2Fchat%2Fcompletions", 404),
                chat("one encoded slash", "/v1/chat%2Fcompletions", 404),
                chat("encoded backslash", "/v1%5Cchat/completions", 404),
                chat("path parameter", "/v1/chat/completions;jsessionid=1", 404),
                chat("unknown path", "/v1/embeddings", 404),
                raw("models with a doubled slash", "GET //models HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KEY + "\r\n", 200),
                raw("wrong method", "DELETE /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KEY
                        + "Content-Length: 0\r\n\r\n", 405),
                raw("headers over Jetty's limit", "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KEY
                        + "X-Big: " + "a".repeat(20_000) + "\r\n\r\n", 431),
                raw("request line over Jetty's limit", "GET /v1/" + "m".repeat(20_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
                raw("header line without a colon", "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nnot a header\r\n\r\n", 400),
                raw("control character in a header value", "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\u0001b\r\n\r\n", 400),
                raw("two different content lengths", "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
                raw("content length that is not a number", "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Content-Length: abc\r\n\r\n", 400),
                raw("unknown transfer coding", "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Transfer-Encoding: gzip\r\n\r\n", 400),
                raw("broken chunked body", "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n" + KEY
                        + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
                raw("no Host header", "GET /v1/models HTTP/1.1\r\n" + KEY + "\r\n", 400),
                raw("unknown expectation", "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: teapot\r\n"
                        + "Content-Length: 2\r\n\r\n{}", 417),
                raw("method that is not a token", "G(T /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
                raw("unknown HTTP version", "GET /v1/models HTTP/7.1\r\nHost: 127.0.0.1\r\n\r\n", 505),
                raw("absolute URI whose authority is not the Host", "GET http://elsewhere.example/v1/models HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\n" + KEY + "\r\n", 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void everyRequestGetsTheRelaysAnswerOrAnOpenAiErrorWithARequestId(Case request) throws Exception {
        RawHttpCaller.Answer answer;
        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            answer = caller.send(request.request()).readAnswer();
        }
        String shown = answer.head() + "\n" + answer.body();
        assertEquals(request.status(), answer.status(), shown);
        assertNotNull(answer.header("x-request-id"), "x-request-id: " + shown);
        String contentType = answer.header("content-type");
        assertNotNull(contentType, shown);
        if (answer.status() == 200) {
            assertTrue(contentType.startsWith("text/event-stream") || contentType.startsWith("application/json"), shown);
            return;
        }
        assertTrue(contentType.startsWith("application/json"), shown);
        JsonNode error = Json.MAPPER.readTree(answer.body()).path("error");
        assertTrue(error.isObject(), "an OpenAI error: " + shown);
        for (String field : List.of("message", "type", "param", "code")) {
            assertTrue(error.has(field), "has '" + field + "': " + shown);
        }
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), shown);
        assertTrue(error.path("type").isTextual(), shown);
    }
}

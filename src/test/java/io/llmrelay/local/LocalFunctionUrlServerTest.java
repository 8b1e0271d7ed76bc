package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.functionurl.FunctionUrlHandler;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.json.Json;
import io.llmrelay.testing.RawHttpCaller;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code serve}'s Function URL server, called by a real HTTP client. */
@Timeout(60)
class LocalFunctionUrlServerTest {
    private static final int CONCURRENT = 6;
    private static final CountDownLatch secondEventGate = new CountDownLatch(1);
    private static final CountDownLatch allConcurrentArrived = new CountDownLatch(CONCURRENT);
    private static final ByteArrayOutputStream serverLog = new ByteArrayOutputStream();
    private static LocalFunctionUrlServer server;
    private static final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** A handler whose paths each exercise one part of the mapping. */
    static final class TestHandler extends FunctionUrlHandler {
        @Override
        protected void handle(FunctionUrlRequest request, FunctionUrlResponse response, Context context)
                throws IOException {
            switch (request.rawPath()) {
                case "/stream" -> {
                    response.status(200).header("content-type", "text/event-stream").header("x-request-id", "r-1");
                    response.body().write("data: one\n\n".getBytes(StandardCharsets.UTF_8));
                    response.body().flush();
                    await(secondEventGate);
                    response.body().write("data: two\n\n".getBytes(StandardCharsets.UTF_8));
                }
                case "/echo" -> {
                    ObjectNode echo = Json.object();
                    echo.put("method", request.method());
                    echo.put("path", request.rawPath());
                    echo.put("query", request.rawQueryString());
                    echo.put("q", request.queryStringParameters().get("q"));
                    echo.put("x-test", request.header("X-Test"));
                    echo.put("body", request.bodyText());
                    echo.put("bodyLength", request.body().length);
                    echo.put("cookies", String.join("|", request.cookies()));
                    response.status(201).header("content-type", "application/json");
                    response.body().write(Json.writeBytes(echo));
                }
                case "/concurrent" -> {
                    allConcurrentArrived.countDown();
                    await(allConcurrentArrived); // deadlocks unless all run at once
                    response.header("content-type", "text/plain").body().write("together".getBytes(StandardCharsets.UTF_8));
                }
                case "/fail-before" -> throw new IllegalStateException("no bytes yet");
                case "/fail-after" -> {
                    response.header("content-type", "text/plain").body().write("half".getBytes(StandardCharsets.UTF_8));
                    response.body().flush();
                    throw new IllegalStateException("broke mid-way");
                }
                default -> response.send(404, "text/plain", "nope".getBytes(StandardCharsets.UTF_8));
            }
        }

        @Override
        protected void rejectInvalidEvent(String message, FunctionUrlResponse response) throws IOException {
            response.send(400, "text/plain", message.getBytes(StandardCharsets.UTF_8));
        }

        private static void await(CountDownLatch latch) throws IOException {
            try {
                if (!latch.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("latch not released");
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        server = LocalFunctionUrlServer.start(TestHandler::new, LocalFunctionUrlServer.Options.defaults(0),
                new PrintStream(serverLog, true, StandardCharsets.UTF_8));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static URI uri(String pathAndQuery) {
        return server.url().resolve(pathAndQuery);
    }

    @Test
    void theFirstEventArrivesBeforeTheFunctionHasWrittenTheSecond() throws Exception {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri("/stream")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
        assertEquals("r-1", response.headers().firstValue("x-request-id").orElseThrow());
        BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
        assertEquals("data: one", reader.readLine());
        assertEquals("", reader.readLine());
        secondEventGate.countDown(); // only now may the function write its second event
        assertEquals("data: two", reader.readLine());
        assertEquals("", reader.readLine());
        assertEquals(null, reader.readLine());
    }

    @Test
    void theRequestReachesTheFunctionAsAFunctionUrlEvent() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(uri("/echo?q=hello%20world&x=1"))
                .header("X-Test", "yes")
                .header("Cookie", "a=1; b=2")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"msg\":\"héllo\"}"))
                .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode());
        JsonNode echo = Json.MAPPER.readTree(response.body());
        assertEquals("POST", echo.get("method").asText());
        assertEquals("/echo", echo.get("path").asText());
        assertEquals("q=hello%20world&x=1", echo.get("query").asText());
        assertEquals("hello world", echo.get("q").asText());
        assertEquals("yes", echo.get("x-test").asText());
        assertEquals("{\"msg\":\"héllo\"}", echo.get("body").asText());
        assertEquals("a=1|b=2", echo.get("cookies").asText());
    }

    @Test
    void headerBytesReachTheFunctionAsUtf8TextAsAFunctionUrlPutsThemInTheEvent() throws Exception {
        byte[] head = "GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Test: ".getBytes(StandardCharsets.US_ASCII);
        byte[] value = RawHttpCaller.concat("héllo 🔑 \u200b".getBytes(StandardCharsets.UTF_8), new byte[] {'/', (byte) 0xe9, '/'});
        RawHttpCaller.Answer answer;
        try (RawHttpCaller caller = new RawHttpCaller(server.url())) {
            caller.send(RawHttpCaller.concat(RawHttpCaller.concat(head, value), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            answer = caller.readAnswer();
        }
        assertEquals(201, answer.status());
        // Valid UTF-8 arrives as its text; a byte that is not UTF-8 (0xE9 alone) as U+FFFD.
        assertEquals("héllo 🔑 \u200b/\ufffd/", Json.MAPPER.readTree(answer.body()).get("x-test").asText());
    }

    @Test
    void aBinaryBodyTravelsBase64EncodedAndArrivesIntact() throws Exception {
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28, 10};
        HttpRequest request = HttpRequest.newBuilder(uri("/echo"))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(binary))
                .build();
        JsonNode echo = Json.MAPPER.readTree(client.send(request, HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(binary.length, echo.get("bodyLength").asInt());
    }

    @Test
    void concurrentRequestsRunInSeparateEnvironmentsAtOnce() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
            responses.add(client.sendAsync(HttpRequest.newBuilder(uri("/concurrent")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> response : responses) {
            HttpResponse<String> r = response.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertEquals("together", r.body());
        }
    }

    @Test
    void aFunctionErrorBeforeAnyByteIsA502AndTheNextRequestWorks() throws Exception {
        HttpResponse<String> failed = client.send(HttpRequest.newBuilder(uri("/fail-before")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(502, failed.statusCode());
        assertEquals("{\"Message\":\"Internal Server Error\"}", failed.body());
        assertTrue(serverLog.toString(StandardCharsets.UTF_8).contains("no bytes yet"));
        HttpResponse<String> next = client.send(HttpRequest.newBuilder(uri("/nothing-here")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, next.statusCode());
        assertEquals("nope", next.body());
    }

    @Test
    void aFunctionErrorAfterBytesCutsTheResponseOff() throws Exception {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(uri("/fail-after")).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        InputStream body = response.body();
        assertEquals("half", new String(body.readNBytes(4), StandardCharsets.UTF_8));
        assertThrows(IOException.class, body::readAllBytes, "an incomplete chunked body must not look complete");
        HttpResponse<String> next = client.send(HttpRequest.newBuilder(uri("/echo")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, next.statusCode());
    }
}

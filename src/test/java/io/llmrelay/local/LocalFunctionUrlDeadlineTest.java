package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.llmrelay.functionurl.FunctionUrlHandler;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.runtime.FunctionEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * serve keeps the function timeout as Lambda does: a response still streaming at the invocation's
 * deadline is cut off (the caller sees a body that just stops), and the function's next write
 * fails. This is what the relay's deadline margin exists to avoid.
 */
@Timeout(30)
class LocalFunctionUrlDeadlineTest {
    private static final long TIMEOUT_MS = 800;
    private static final CountDownLatch writeFailed = new CountDownLatch(1);

    /** Streams a chunk every 20 ms and never looks at its deadline. */
    static final class DeadlineIgnoringHandler extends FunctionUrlHandler {
        @Override
        protected void handle(FunctionUrlRequest request, FunctionUrlResponse response, Context context)
                throws IOException {
            response.status(200).header("content-type", "text/event-stream");
            try {
                for (int i = 0; i < 1000; i++) {
                    response.body().write(("data: " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                    response.body().flush();
                    Thread.sleep(20);
                }
            } catch (IOException e) {
                writeFailed.countDown();
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        protected void rejectInvalidEvent(String message, FunctionUrlResponse response) throws IOException {
            response.send(400, "text/plain", message.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aResponseStillStreamingAtTheDeadlineIsCutOffAndTheFunctionsNextWriteFails() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        LocalFunctionUrlServer.Options options = new LocalFunctionUrlServer.Options("127.0.0.1", 0, 1, TIMEOUT_MS,
                new FunctionEnvironment("deadline-test", "$LATEST", 1024, "/aws/lambda/deadline-test", "local"));
        try (LocalFunctionUrlServer server = LocalFunctionUrlServer.start(DeadlineIgnoringHandler::new, options,
                new PrintStream(log, true, StandardCharsets.UTF_8))) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(server.url().resolve("/stream")).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());

            try (InputStream body = response.body()) {
                assertEquals('d', body.read(), "the stream started");
                // A chunked body that stops without its final chunk: the client sees an error, not an end.
                assertThrows(IOException.class, body::readAllBytes);
            }

            assertTrue(writeFailed.await(10, TimeUnit.SECONDS), "the function learned that its response is gone");
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("timed out after " + TIMEOUT_MS + " ms mid-stream"),
                    log.toString(StandardCharsets.UTF_8));
        }
    }
}

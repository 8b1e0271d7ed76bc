package io.llmrelay.runtime;

import static io.llmrelay.runtime.RawRuntimeApi.ACCEPTED;
import static io.llmrelay.runtime.RawRuntimeApi.After.KEEP;
import static io.llmrelay.runtime.RawRuntimeApi.invocation;
import static io.llmrelay.runtime.RawRuntimeApi.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failure reports are capped like aws-lambda-go's (type, message, a few frames, a byte limit),
 * whatever the failure: a deep stack, a huge message, characters JSON must escape, long cause chains.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ErrorReportTest {
    private static final String ALPHABET = "aZ9 \"\\/\n\t\u0000\u001f\u007f\u00e9\u200b\ufeff\u4e2d\ud83d\ude00";

    /** A failure made {@code depth} frames down (on a thread with room for them), with {@code causes} causes. */
    private static RuntimeException deep(int depth, String message, int causes) {
        RuntimeException[] made = new RuntimeException[1];
        Thread thread = new Thread(null, () -> made[0] = recurse(depth, message, causes), "deep", 64L << 20);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        return made[0];
    }

    private static RuntimeException recurse(int depth, String message, int causes) {
        if (depth > 0) {
            return recurse(depth - 1, message, causes);
        }
        Throwable cause = null;
        for (int i = 0; i < causes; i++) {
            cause = new IOException("cause " + i + ": " + message, cause);
        }
        return new IllegalStateException(message, cause);
    }

    private static String randomText(Random random, int length) {
        StringBuilder text = new StringBuilder(length);
        while (text.length() < length) {
            int i = random.nextInt(ALPHABET.length());
            if (Character.isSurrogate(ALPHABET.charAt(i))) {
                text.append("\ud83d\ude00");
            } else {
                text.append(ALPHABET.charAt(i));
            }
        }
        return text.toString();
    }

    /** The bounds every report keeps, and a message that is the start of the original. */
    private static JsonNode assertCapped(ErrorReport report, String original) throws IOException {
        byte[] json = report.toJson();
        String base64 = report.toBase64();
        assertTrue(json.length <= 3072, "json bytes " + json.length);
        assertTrue(base64.length() <= ErrorReport.MAX_ENCODED_BYTES, "base64 bytes " + base64.length());
        JsonNode body = Json.MAPPER.readTree(Base64.getDecoder().decode(base64));
        String message = body.get("errorMessage").asText();
        if (!message.equals(original)) {
            assertTrue(message.endsWith(Failures.TRUNCATED), message);
            String kept = message.substring(0, message.length() - Failures.TRUNCATED.length());
            assertTrue(original.startsWith(kept), "not a prefix of the message");
            assertTrue(kept.length() <= ErrorReport.MAX_MESSAGE_CHARS);
        }
        assertTrue(body.get("stackTrace").size() <= ErrorReport.MAX_FRAMES + 1 + Failures.MAX_CAUSES);
        assertTrue(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(json)).length() > 0);
        return body;
    }

    @Test
    void aDeepStackAndAHugeMessageGiveTypeMessageAFewFramesUnderTheByteLimit() throws Exception {
        String huge = "upstream said: " + "x".repeat(1_000_000);
        JsonNode body = assertCapped(ErrorReport.of("Runtime.StreamError", deep(3000, huge, 2)), huge);
        assertEquals("java.lang.IllegalStateException", body.get("errorType").asText());
        assertTrue(body.get("errorMessage").asText().startsWith("upstream said: xxx"));
        JsonNode trace = body.get("stackTrace");
        assertTrue(trace.get(0).asText().contains("ErrorReportTest.recurse"), trace.get(0).asText());
        assertTrue(trace.toString().contains("more"), "the frames left out are counted: " + trace);
    }

    @Test
    void everyGeneratedFailureStaysWithinTheBounds() throws Exception {
        Random random = new Random(9);
        for (int i = 0; i < 300; i++) {
            int length = random.nextInt(4) == 0 ? random.nextInt(200_000) : random.nextInt(2_000);
            String message = randomText(random, length);
            RuntimeException failure = deep(random.nextInt(40), message, random.nextInt(7));
            assertCapped(ErrorReport.of("Runtime.Unhandled", failure), message);
        }
    }

    @Test
    void aReportBuiltByHandIsCappedToo() throws Exception {
        String[] frames = new String[500];
        java.util.Arrays.fill(frames, "frame " + "f".repeat(1000));
        String message = "\u0000".repeat(5000);
        ErrorReport report = new ErrorReport("Runtime.\r\nInjected: yes", "T".repeat(10_000), message, frames);
        assertCapped(report, message);
        assertEquals("Runtime.??Injected: yes", report.category(), "a category is a header value: no line breaks");
    }

    @Test
    void theStreamTrailerAndTheErrorBodyStayUnderTheLimitOnTheWire() throws Exception {
        String huge = "boom " + "y".repeat(300_000);
        try (RawRuntimeApi api = RawRuntimeApi.start()) {
            api.then(invocation("r1", "\"after-bytes\""), KEEP).then(ACCEPTED, KEEP)
                    .then(invocation("r2", "\"before-bytes\""), KEEP).then(ACCEPTED, KEEP)
                    .then(status(500, "Stop"), KEEP);
            RuntimeLoop loop = new RuntimeLoop(new RuntimeApiClient(api.address(), "test"), () -> (in, out, ctx) -> {
                if (new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("after")) {
                    out.write("partial".getBytes(StandardCharsets.UTF_8));
                }
                throw deep(2000, huge, 1);
            }, new FunctionEnvironment("f", "1", 128, "/g", "s"), System::currentTimeMillis,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
            assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop.run());

            api.request();
            RawRuntimeApi.Request streamed = api.request();
            assertEquals("partial", streamed.bodyText());
            assertEquals("Runtime.StreamError", streamed.trailers().get("lambda-runtime-function-error-type"));
            String trailer = streamed.trailers().get("lambda-runtime-function-error-body");
            assertTrue(trailer.length() <= ErrorReport.MAX_ENCODED_BYTES, "trailer bytes " + trailer.length());
            JsonNode fromTrailer = Json.MAPPER.readTree(Base64.getDecoder().decode(trailer));
            assertTrue(fromTrailer.get("errorMessage").asText().startsWith("boom yyy"));
            assertEquals("java.lang.IllegalStateException", fromTrailer.get("errorType").asText());

            api.request();
            RawRuntimeApi.Request error = api.request();
            assertTrue(error.path().endsWith("/r2/error"), error.path());
            assertTrue(error.body().length <= 3072, "error body bytes " + error.body().length);
            JsonNode errorBody = Json.MAPPER.readTree(error.body());
            assertTrue(errorBody.get("stackTrace").size() <= ErrorReport.MAX_FRAMES + 1 + Failures.MAX_CAUSES);
            assertTrue(errorBody.get("stackTrace").toString().contains("Caused by: java.io.IOException: cause 0: boom"));
        }
    }
}

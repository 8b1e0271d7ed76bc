package io.llmrelay.upstream.bedrock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmrelay.testing.BedrockFrames;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The relay's event-stream reader against frames from the test suite's own encoder (written from
 * the format description, not from the reader): every header type, frames arriving in pieces of any
 * size, and every way a frame can be broken.
 */
class EventStreamReaderTest {

    /** Hands out at most a few bytes per read, as a slow network would. */
    private static InputStream trickle(byte[] bytes, Random random) {
        ByteArrayInputStream all = new ByteArrayInputStream(bytes);
        return new InputStream() {
            @Override
            public int read() {
                return all.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return all.read(b, off, Math.min(len, 1 + random.nextInt(7)));
            }
        };
    }

    @Test
    void framesInAnyPiecesDecodeToTheirHeadersAndPayloads() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            List<byte[]> payloads = new ArrayList<>();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            for (int i = random.nextInt(5); i >= 0; i--) {
                byte[] payload = new byte[random.nextInt(300)];
                random.nextBytes(payload);
                payloads.add(payload);
                stream.writeBytes(BedrockFrames.frame(everyHeaderType("ev" + i), payload));
            }
            EventStreamReader reader = new EventStreamReader(trickle(stream.toByteArray(), random));
            for (int i = payloads.size() - 1; i >= 0; i--) {
                EventStreamMessage message = reader.next();
                assertEquals(EventStreamMessage.Kind.EVENT, message.kind());
                assertEquals("ev" + i, message.name());
                assertArrayEquals(payloads.get(payloads.size() - 1 - i), message.payload());
            }
            assertNull(reader.next(), "a clean end between frames");
        }
    }

    @Test
    void exceptionsAndErrorsAreClassifiedByMessageType() throws Exception {
        Map<String, BedrockFrames.Value> error = new LinkedHashMap<>();
        error.put(":message-type", BedrockFrames.Value.string("error"));
        error.put(":error-code", BedrockFrames.Value.string("InternalFailure"));
        error.put(":error-message", BedrockFrames.Value.string("An internal error occurred."));
        byte[] bytes = concat(BedrockFrames.exception("throttlingException", "slow"), BedrockFrames.frame(error, new byte[0]));
        EventStreamReader reader = new EventStreamReader(new ByteArrayInputStream(bytes));
        EventStreamMessage exception = reader.next();
        assertEquals(EventStreamMessage.Kind.EXCEPTION, exception.kind());
        assertEquals("throttlingException", exception.name());
        assertEquals("{\"message\":\"slow\"}", new String(exception.payload(), StandardCharsets.UTF_8));
        EventStreamMessage unmodeled = reader.next();
        assertEquals(EventStreamMessage.Kind.ERROR, unmodeled.kind());
        assertEquals("InternalFailure", unmodeled.name());
        assertEquals("An internal error occurred.", unmodeled.errorMessage());
    }

    @Test
    void brokenFramesAreRefusedAndCutFramesAreEnds() {
        byte[] good = BedrockFrames.event("messageStart", "{\"role\":\"assistant\"}");
        byte[] badPrelude = good.clone();
        badPrelude[9] ^= 1; // the prelude CRC
        byte[] badLength = good.clone();
        badLength[3] += 1; // the total length no longer matches its CRC
        for (byte[] bad : List.of(BedrockFrames.corrupt(good), badPrelude, badLength)) {
            assertThrows(InvalidFrameException.class, () -> new EventStreamReader(new ByteArrayInputStream(bad)).next());
        }
        for (int cut : new int[] {5, 12, good.length - 1}) {
            byte[] partial = Arrays.copyOf(good, cut);
            assertThrows(EOFException.class, () -> new EventStreamReader(new ByteArrayInputStream(partial)).next(),
                    "cut at " + cut);
        }
        Map<String, BedrockFrames.Value> typeless = new LinkedHashMap<>();
        typeless.put(":event-type", BedrockFrames.Value.string("messageStart"));
        assertThrows(InvalidFrameException.class, () -> new EventStreamReader(
                new ByteArrayInputStream(BedrockFrames.frame(typeless, new byte[0]))).next(), "no :message-type");
        Map<String, BedrockFrames.Value> intType = new LinkedHashMap<>();
        intType.put(":message-type", new BedrockFrames.Value(4, new byte[] {0, 0, 0, 1}));
        assertThrows(InvalidFrameException.class, () -> new EventStreamReader(
                new ByteArrayInputStream(BedrockFrames.frame(intType, new byte[0]))).next(), ":message-type not a string");
    }

    /** One header of each of the ten wire types, plus the three an event needs. */
    private static Map<String, BedrockFrames.Value> everyHeaderType(String eventType) {
        Map<String, BedrockFrames.Value> headers = new LinkedHashMap<>();
        headers.put("t", new BedrockFrames.Value(0, new byte[0]));
        headers.put("f", new BedrockFrames.Value(1, new byte[0]));
        headers.put("b", new BedrockFrames.Value(2, new byte[] {-3}));
        headers.put("s", new BedrockFrames.Value(3, new byte[] {1, 2}));
        headers.put("i", new BedrockFrames.Value(4, new byte[] {1, 2, 3, 4}));
        headers.put("l", new BedrockFrames.Value(5, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
        headers.put("bytes", new BedrockFrames.Value(6, new byte[] {0, 3, 9, 8, 7}));
        headers.put("ts", new BedrockFrames.Value(8, new byte[] {0, 0, 1, -112, 0, 0, 0, 0}));
        headers.put("uuid", new BedrockFrames.Value(9, new byte[16]));
        headers.put(":message-type", BedrockFrames.Value.string("event"));
        headers.put(":event-type", BedrockFrames.Value.string(eventType));
        headers.put(":content-type", BedrockFrames.Value.string("application/octet-stream"));
        return headers;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

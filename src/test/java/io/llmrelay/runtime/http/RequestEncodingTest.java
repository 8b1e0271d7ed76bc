package io.llmrelay.runtime.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a request is on the wire (https://www.rfc-editor.org/rfc/rfc9112): its head (section 3,
 * no field value with a line break in it), and the chunked coding of section 7.1:
 * {@code chunk-size CRLF chunk-data CRLF}, the size in hex; the last chunk {@code 0 CRLF}, the
 * trailer fields, and an empty line.
 */
class RequestEncodingTest {

    @Test
    void everyChunkIsItsHexSizeLineItsDataAndCrlf() throws Exception {
        Random random = new Random(7);
        int[] edges = {1, 9, 10, 15, 16, 17, 255, 256, 4095, 4096, 65535, 65536, 1 << 20, (1 << 24) + 3};
        int[] sizes = IntStream.concat(Arrays.stream(edges), random.ints(500, 1, 70_000)).toArray();
        ChunkWriter writer = new ChunkWriter(); // one writer for all: its size line is reused
        for (int size : sizes) {
            byte[] data = new byte[size + 3];
            random.nextBytes(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            writer.write(out, data, 2, size);
            byte[] wire = out.toByteArray();
            String sizeLine = Integer.toHexString(size) + "\r\n";
            assertEquals(sizeLine, new String(wire, 0, sizeLine.length(), StandardCharsets.US_ASCII), "size " + size);
            assertEquals(size, Integer.parseInt(sizeLine.strip(), 16));
            assertArrayEquals(Arrays.copyOfRange(data, 2, 2 + size),
                    Arrays.copyOfRange(wire, sizeLine.length(), sizeLine.length() + size), "data of size " + size);
            assertEquals("\r\n", new String(wire, wire.length - 2, 2, StandardCharsets.US_ASCII));
            assertEquals(sizeLine.length() + size + 2, wire.length, "nothing else for size " + size);
        }
    }

    @Test
    void theLastChunkCarriesTheTrailersOnOneLineEach() {
        assertEquals("0\r\n\r\n", new String(ChunkWriter.lastChunk(Map.of()), StandardCharsets.US_ASCII));
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("Lambda-Runtime-Function-Error-Type", "Runtime.Stream\r\nX-Injected: 1");
        trailers.put("Lambda-Runtime-Function-Error-Body", "eyJhIjoxfQ==");
        assertEquals("0\r\n"
                + "Lambda-Runtime-Function-Error-Type: Runtime.Stream  X-Injected: 1\r\n"
                + "Lambda-Runtime-Function-Error-Body: eyJhIjoxfQ==\r\n"
                + "\r\n", new String(ChunkWriter.lastChunk(trailers), StandardCharsets.US_ASCII));
    }

    @Test
    void aRequestHeadIsTheRequestLineHostUserAgentTheFieldsAndAnEmptyLine() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Content-Type", "application/json");
        fields.put("Lambda-Runtime-Function-Error-Type", "bad\nvalue");
        assertEquals("POST /2018-06-01/runtime/init/error HTTP/1.1\r\n"
                + "Host: 127.0.0.1:9001\r\n"
                + "User-Agent: ua/1\r\n"
                + "Content-Type: application/json\r\n"
                + "Lambda-Runtime-Function-Error-Type: bad value\r\n"
                + "\r\n", new String(RequestHead.encode("POST", "/2018-06-01/runtime/init/error", "127.0.0.1:9001",
                        "ua/1", fields), StandardCharsets.UTF_8));
    }
}

package io.llmrelay.runtime.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The chunked transfer coding of a request body (RFC 9112 section 7.1): each chunk is
 * {@code <hex size> CRLF <data> CRLF}; the body ends with the last chunk {@code 0 CRLF}, the
 * trailer fields, and an empty line.
 */
final class ChunkWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The size line of the chunk being written: 8 hex digits at most, then CRLF. */
    private final byte[] sizeLine = new byte[10];

    /** Writes one chunk of {@code len > 0} bytes; the caller flushes. No allocation: it runs once per token. */
    void write(OutputStream out, byte[] b, int off, int len) throws IOException {
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(len) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            sizeLine[digits - 1 - i] = HEX[(len >>> (4 * i)) & 0xf];
        }
        sizeLine[digits] = '\r';
        sizeLine[digits + 1] = '\n';
        out.write(sizeLine, 0, digits + 2);
        out.write(b, off, len);
        out.write(CRLF);
    }

    /** The last chunk with {@code trailers} (none: an empty map), which ends the body. */
    static byte[] lastChunk(Map<String, String> trailers) {
        StringBuilder end = new StringBuilder("0\r\n");
        trailers.forEach((name, value) -> end.append(name).append(": ").append(HttpSyntax.fieldValue(value)).append("\r\n"));
        return end.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }
}

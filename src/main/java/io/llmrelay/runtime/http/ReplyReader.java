package io.llmrelay.runtime.http;

import static io.llmrelay.runtime.http.HttpSyntax.hasToken;
import static io.llmrelay.runtime.http.HttpSyntax.isDigits;
import static io.llmrelay.runtime.http.HttpSyntax.isHex;
import static io.llmrelay.runtime.http.HttpSyntax.isToken;
import static io.llmrelay.runtime.http.HttpSyntax.printable;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one HTTP/1.1 reply of the Runtime API, strictly: a reply is either read whole, exactly as
 * its framing says, or it is an {@link IOException} after which the connection must be dropped
 * (nothing read after a bad reply can be trusted to start a new one).
 *
 * <p>The rules (RFC 9112, https://www.rfc-editor.org/rfc/rfc9112), and what we refuse:
 * <ul>
 *   <li>status line {@code HTTP/1.x SP 3DIGIT [SP reason]}, status 100-599; anything else is refused.
 *       Interim 1xx replies are skipped (RFC 9110 section 15.2: a client must be able to parse them
 *       even unasked) except 101, which switches protocols we never asked for.</li>
 *   <li>header lines {@code token ":" value}; obs-fold (a line starting with a space or tab),
 *       whitespace before the colon and a bare CR are refused (RFC 9112 sections 5.1, 5.2, 2.2).
 *       A bare LF ends a line, as section 2.2 allows.</li>
 *   <li>body (section 6.3): none for 1xx, 204 and 304; else {@code Transfer-Encoding: chunked}, or
 *       a {@code Content-Length} of digits (a list only of one repeated value). Both at once, any
 *       other transfer coding, and a reply with neither are refused: a body that runs to the end of
 *       the connection cannot be told from a cut one, and every Runtime API we know (Lambda's,
 *       the runtime interface emulator, Go's net/http) frames its replies.</li>
 *   <li>a body shorter than its framing (the connection ended or broke first) is an error, never
 *       a short body; the head is capped at {@value #MAX_HEAD_BYTES} bytes and the body at
 *       {@value #MAX_BODY_BYTES} (a few times Lambda's 6 MB invocation payload limit).</li>
 * </ul>
 */
final class ReplyReader {
    static final int MAX_HEAD_BYTES = 64 * 1024;
    static final int MAX_BODY_BYTES = 32 * 1024 * 1024;

    private final InputStream in;
    private byte[] line = new byte[256];

    private ReplyReader(InputStream in) {
        this.in = in;
    }

    /** Reads the final reply to one request, skipping interim 1xx replies; {@code in} must support mark. */
    static Reply read(InputStream in) throws IOException {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("the reply stream must support mark (buffer it)");
        }
        ReplyReader reader = new ReplyReader(in);
        reader.awaitFirstByte();
        while (true) {
            Reply reply = reader.readOne();
            if (reply.status() >= 200) {
                return reply;
            }
            if (reply.status() == 101) {
                throw new IOException("Runtime API switched protocols (101) without being asked");
            }
        }
    }

    private void awaitFirstByte() throws IOException {
        in.mark(1);
        int first;
        try {
            first = in.read();
        } catch (IOException e) {
            throw new NoReplyException("the connection broke before a reply: " + e.getMessage(), e);
        }
        if (first == -1) {
            throw new NoReplyException("Runtime API closed the connection before a reply", null);
        }
        in.reset();
    }

    private Reply readOne() throws IOException {
        String statusLine = readLine();
        boolean http10 = statusLine.startsWith("HTTP/1.0 ");
        int status = parseStatus(statusLine);
        Map<String, String> headers = readFields();
        byte[] body = status < 200 || status == 204 || status == 304 ? new byte[0] : readBody(headers);
        String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
        boolean reusable = http10 ? hasToken(connection, "keep-alive") : !hasToken(connection, "close");
        return new Reply(status, headers, body, reusable);
    }

    private static int parseStatus(String line) throws IOException {
        boolean shaped = line.length() >= 12
                && (line.startsWith("HTTP/1.1 ") || line.startsWith("HTTP/1.0 "))
                && isDigits(line, 9, 12)
                && (line.length() == 12 || line.charAt(12) == ' ');
        int status = shaped ? Integer.parseInt(line.substring(9, 12)) : -1;
        if (status < 100 || status > 599) {
            throw new IOException("Runtime API sent a malformed status line: " + printable(line));
        }
        return status;
    }

    /** Header (or trailer) fields up to the empty line that ends them. */
    private Map<String, String> readFields() throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        int total = 0;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            total += line.length();
            if (total > MAX_HEAD_BYTES) {
                throw new IOException("Runtime API reply head exceeds " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0 || !isToken(line, 0, colon)) {
                throw new IOException("Runtime API sent a malformed header line: " + printable(line));
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            fields.merge(name, value, (a, b) -> a + ", " + b);
        }
        return fields;
    }

    private byte[] readBody(Map<String, String> headers) throws IOException {
        String coding = headers.get("transfer-encoding");
        String length = headers.get("content-length");
        if (coding != null && length != null) {
            throw new IOException("Runtime API sent both Transfer-Encoding and Content-Length");
        }
        if (coding != null) {
            if (!coding.equalsIgnoreCase("chunked")) {
                throw new IOException("Runtime API sent an unsupported Transfer-Encoding: " + printable(coding));
            }
            return readChunked();
        }
        if (length == null) {
            throw new IOException("Runtime API sent a reply without Content-Length or chunked framing");
        }
        return readExactly(parseLength(length), 0);
    }

    private static int parseLength(String value) throws IOException {
        String first = null;
        for (String part : value.split(",", -1)) {
            String digits = part.strip();
            if (digits.isEmpty() || !isDigits(digits, 0, digits.length()) || (first != null && !first.equals(digits))) {
                throw new IOException("Runtime API sent a malformed Content-Length: " + printable(value));
            }
            first = digits;
        }
        String digits = withoutLeadingZeros(first);
        if (digits.length() > 9 || Integer.parseInt(digits) > MAX_BODY_BYTES) {
            throw new IOException("Runtime API announced a body over " + MAX_BODY_BYTES + " bytes: " + digits);
        }
        return Integer.parseInt(digits);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine();
            int end = line.indexOf(';');
            String size = withoutLeadingZeros((end >= 0 ? line.substring(0, end) : line).stripTrailing());
            if (size.isEmpty() || size.length() > 8 || !isHex(size)) {
                throw new IOException("Runtime API sent a malformed chunk size: " + printable(line));
            }
            long n = Long.parseLong(size, 16);
            if (n == 0) {
                readFields(); // the trailer section; nothing in it matters to us
                return body.toByteArray();
            }
            if (body.size() + n > MAX_BODY_BYTES) {
                throw new IOException("Runtime API sent a chunked body over " + MAX_BODY_BYTES + " bytes");
            }
            body.write(readExactly((int) n, body.size()));
            if (!readLine().isEmpty()) {
                throw new IOException("Runtime API sent a chunk without its closing CRLF");
            }
        }
    }

    private byte[] readExactly(int n, int before) throws IOException {
        byte[] bytes = in.readNBytes(n);
        if (bytes.length < n) {
            throw new EOFException("Runtime API reply ended after " + (before + bytes.length) + " body bytes of "
                    + (before + n) + " announced");
        }
        return bytes;
    }

    /** "0042" is 42, "0" stays "0": what {@code replaceFirst("^0+(?=.)", "")} did, without a regex per reply. */
    private static String withoutLeadingZeros(String digits) {
        int start = 0;
        while (start < digits.length() - 1 && digits.charAt(start) == '0') {
            start++;
        }
        return digits.substring(start);
    }

    /** One line, CRLF or LF stripped; the bytes go into {@link #line}, reused for every line of the reply. */
    private String readLine() throws IOException {
        int length = 0;
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("Runtime API closed the connection in the middle of a reply");
            }
            if (length >= MAX_HEAD_BYTES) {
                throw new IOException("Runtime API sent a line longer than " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                for (int i = 0; i < end; i++) {
                    if (line[i] == '\r') {
                        throw new IOException("Runtime API sent a bare CR in a reply head");
                    }
                }
                return new String(line, 0, end, StandardCharsets.UTF_8);
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(2 * length, MAX_HEAD_BYTES));
            }
            line[length++] = (byte) b;
        }
    }
}

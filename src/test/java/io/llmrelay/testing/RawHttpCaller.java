package io.llmrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A caller that speaks HTTP/1.1 over a plain socket: it sends exactly the bytes a test gives
 * (paths and headers {@code HttpClient} would normalise or refuse, raw UTF-8 in header values,
 * pipelined requests) and can hang up hard, with a TCP reset, as a phone platform dropping a call
 * does. One request or several on one connection; not thread-safe.
 */
public final class RawHttpCaller implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final OutputStream out;

    /** A response head: status and headers (lower-case names, repeated ones comma-joined). */
    public record Head(int status, Map<String, String> headers) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A whole response. */
    public record Answer(Head head, String body) {
        public int status() {
            return head.status();
        }

        public String header(String name) {
            return head.header(name);
        }
    }

    public RawHttpCaller(URI server) throws IOException {
        socket.connect(new InetSocketAddress(server.getHost(), server.getPort()), 5_000);
        socket.setSoTimeout(20_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The smallest request that reaches the relay: {@code method target} with the test caller's key and {@code body}. */
    public static byte[] chatRequest(String target, String body) {
        byte[] json = body.getBytes(StandardCharsets.UTF_8);
        return concat(("POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Authorization: Bearer " + RelayUnderTest.CALLER_KEY + "\r\nContent-Length: " + json.length
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII), json);
    }

    public static byte[] concat(byte[] first, byte[] second) {
        byte[] both = new byte[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    public RawHttpCaller send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public RawHttpCaller send(String ascii) throws IOException {
        return send(ascii.getBytes(StandardCharsets.ISO_8859_1));
    }

    public Head readHead() throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                    (a, b) -> a + "," + b);
        }
        return new Head(Integer.parseInt(parts[1]), headers);
    }

    /** A whole response: head and body (by content-length, chunked, or to the end of the connection). */
    public Answer readAnswer() throws IOException {
        Head head = readHead();
        return new Answer(head, new String(readBody(head), StandardCharsets.UTF_8));
    }

    /**
     * Reads {@code count} SSE events of a streamed (chunked) body, as they arrive; what it returns is
     * their text with the chunk framing left in. Every event the relay sends ends with a blank
     * line ({@code \n\n}), and chunk framing uses {@code \r\n}, so each {@code \n\n} is one event.
     */
    public String readEvents(int count) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        int seen = 0;
        int previous = -1;
        while (seen < count) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the stream ended after " + seen + " events: " + read.toString(StandardCharsets.UTF_8));
            }
            read.write(b);
            if (b == '\n' && previous == '\n') {
                seen++;
            }
            previous = b;
        }
        return read.toString(StandardCharsets.UTF_8);
    }

    /** Reads up to and including {@code marker}; returns all of it. */
    public String readUntil(String marker) throws IOException {
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        while (!read.toString(StandardCharsets.UTF_8).endsWith(marker)) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("the connection ended before '" + marker + "': " + read.toString(StandardCharsets.UTF_8));
            }
            read.write(b);
        }
        return read.toString(StandardCharsets.UTF_8);
    }

    /**
     * Closes the sending side (a FIN after everything sent): the request arrives whole, then the
     * end of the stream, which a server reads as the caller leaving.
     */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Hangs up hard: a TCP reset, not an orderly close. */
    public void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private byte[] readBody(Head head) throws IOException {
        String length = head.header("content-length");
        if (length != null) {
            return in.readNBytes(Integer.parseInt(length));
        }
        if (!"chunked".equalsIgnoreCase(head.header("transfer-encoding"))) {
            return in.readAllBytes();
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(readLine().trim(), 16); size > 0; size = Integer.parseInt(readLine().trim(), 16)) {
            body.write(in.readNBytes(size));
            readLine();
        }
        readLine();
        return body.toByteArray();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("the connection ended mid-line: " + line.toString(StandardCharsets.UTF_8));
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}

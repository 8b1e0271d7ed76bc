package io.llmrelay.bench;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A streaming HTTP/1.1 client on one kept-alive loopback connection that timestamps every socket
 * read: each SSE event's (or event-stream frame's) arrival is the time of the read that brought its
 * last byte, and events that complete in the same read are counted (two chunks in one read means
 * one waited for the other somewhere). Written by hand so that no client library's buffering or
 * threads sit between the socket and the clock.
 */
final class StreamClient implements Closeable {
    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private long lastReadNanos;
    private int reads;

    /**
     * One streamed answer as the client saw it. Times are System.nanoTime. Events are SSE events
     * (stripped, CRs dropped) or, from an event-stream body, whole frames as ISO-8859-1 text.
     */
    record Result(int status, long startNanos, long firstByteNanos, long[] eventNanos, int[] eventRead,
            List<String> events) {
        int eventCount() {
            return eventNanos.length;
        }
    }

    StreamClient(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** POSTs {@code body} to {@code path} and reads the whole streamed answer as SSE events. */
    Result post(String path, String body, String authorization) throws IOException {
        return post(path, body, authorization, false);
    }

    /** @param frames the answer is {@code application/vnd.amazon.eventstream}: split it into frames */
    Result post(String path, String body, String authorization, boolean frames) throws IOException {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + host + ":" + port + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Accept: text/event-stream\r\n"
                + (authorization != null ? "Authorization: " + authorization + "\r\n" : "")
                + "Content-Length: " + content.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = Arrays.copyOf(headBytes, headBytes.length + content.length);
        System.arraycopy(content, 0, request, headBytes.length, content.length);
        boolean reused = socket != null;
        try {
            return exchange(request, frames);
        } catch (IOException e) {
            if (!reused || reads > 0) {
                throw e;
            }
            // A kept-alive connection the server closed while idle (Jetty's idle timeout): one
            // fresh try, as every HTTP client does; the retry's own clock starts anew.
            return exchange(request, frames);
        }
    }

    private Result exchange(byte[] request, boolean frames) throws IOException {
        connectIfNeeded();
        reads = 0;
        long start = System.nanoTime();
        try {
            out.write(request);
            out.flush();
            return readResponse(start, frames ? new FrameSplitter() : new SseSplitter());
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Result readResponse(long start, Splitter sse) throws IOException {
        String status = readLine();
        long firstByte = lastReadNanos;
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("malformed status line: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        boolean chunked = false;
        boolean closeAfter = false;
        long length = -1;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("content-length:")) {
                length = Long.parseLong(lower.substring(15).trim());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                closeAfter = true;
            }
        }
        if (chunked) {
            while (true) {
                String sizeLine = readLine();
                int semi = sizeLine.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                copyBody(size, sse);
                if (!readLine().isEmpty()) {
                    throw new IOException("chunk without its CRLF");
                }
            }
        } else if (length >= 0) {
            copyBody(length, sse);
        } else {
            while (pos < limit || fill()) {
                copyBody(limit - pos, sse);
            }
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Result(code, start, firstByte, sse.nanos(), sse.readIndexes(), sse.events);
    }

    private void copyBody(long n, Splitter sse) throws IOException {
        while (n > 0) {
            if (pos == limit && !fill()) {
                throw new EOFException("the body ended early");
            }
            int take = (int) Math.min(n, limit - pos);
            sse.feed(buf, pos, take, lastReadNanos, reads);
            pos += take;
            n -= take;
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            if (pos == limit && !fill()) {
                throw new EOFException("connection closed");
            }
            byte b = buf[pos++];
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            line.append((char) (b & 0xff));
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        lastReadNanos = System.nanoTime();
        if (n < 0) {
            return false;
        }
        reads++;
        pos = 0;
        limit = n;
        return true;
    }

    private void connectIfNeeded() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(host, port), 5_000);
        s.setSoTimeout(60_000); // bounded: a stuck relay fails the run instead of hanging it
        socket = s;
        in = s.getInputStream();
        out = s.getOutputStream();
        pos = 0;
        limit = 0;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // going away anyway
            }
        }
        socket = null;
    }

    /** Splits a body into events, remembering when (and in which read) each ended. */
    private abstract static class Splitter {
        final List<String> events = new ArrayList<>();
        private long[] nanos = new long[64];
        private int[] readIdx = new int[64];

        abstract void feed(byte[] b, int off, int len, long readNanos, int readIndex);

        void add(String event, long readNanos, int readIndex) {
            int n = events.size();
            if (n == nanos.length) {
                nanos = Arrays.copyOf(nanos, n * 2);
                readIdx = Arrays.copyOf(readIdx, n * 2);
            }
            nanos[n] = readNanos;
            readIdx[n] = readIndex;
            events.add(event);
        }

        long[] nanos() {
            return Arrays.copyOf(nanos, events.size());
        }

        int[] readIndexes() {
            return Arrays.copyOf(readIdx, events.size());
        }
    }

    /** Event-stream frames: each as long as its prelude's first four bytes say. */
    private static final class FrameSplitter extends Splitter {
        private final ByteArrayOutputStream current = new ByteArrayOutputStream(512);

        @Override
        void feed(byte[] b, int off, int len, long readNanos, int readIndex) {
            current.write(b, off, len);
            byte[] pending = current.toByteArray();
            int at = 0;
            while (pending.length - at >= 4 && pending.length - at >= EventStreamFrames.totalLength(pending, at)) {
                int length = EventStreamFrames.totalLength(pending, at);
                if (length < 16) {
                    throw new IllegalStateException("a frame of " + length + " bytes");
                }
                add(new String(pending, at, length, StandardCharsets.ISO_8859_1), readNanos, readIndex);
                at += length;
            }
            current.reset();
            current.write(pending, at, pending.length - at);
        }
    }

    /** SSE events, split at blank lines. */
    private static final class SseSplitter extends Splitter {
        private final StringBuilder current = new StringBuilder(512);
        private boolean lastWasLf;

        @Override
        void feed(byte[] b, int off, int len, long readNanos, int readIndex) {
            int start = off;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\r') {
                    continue;
                }
                if (b[i] == '\n' && lastWasLf) {
                    current.append(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                    String event = current.toString().strip();
                    current.setLength(0);
                    lastWasLf = false;
                    if (!event.isEmpty()) {
                        add(event, readNanos, readIndex);
                    }
                    continue;
                }
                lastWasLf = b[i] == '\n';
            }
            current.append(new String(b, start, off + len - start, StandardCharsets.UTF_8));
        }
    }
}

package io.llmrelay.upstream.http;

import io.llmrelay.upstream.PooledBody;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A response body read straight off its {@link Http1Connection}, framed as RFC 9112 section 6.3
 * says: no body (1xx, 204, 304), chunked (section 7.1; extensions and trailers read and dropped),
 * {@code Content-Length}, else until the connection closes. At its end the connection goes back
 * to the pool when it may be reused; {@link #close()} before the end aborts the exchange at once:
 * the socket is closed, which is what stops the upstream generating (and billing) tokens, and which
 * fails a read blocked in another thread. After a stream's last event, {@link #closeAfterEnd} reads
 * on to the end first, on the calling thread, each read bounded by the socket's read timeout.
 */
final class Http1Body extends InputStream implements PooledBody {
    private static final int MAX_CHUNK_LINE = 4096;

    private final Http1Connection connection;
    private final InputStream in;
    private final boolean chunked;
    private final boolean reusable;
    private final Consumer<Http1Connection> release;
    /** Set once, by whichever comes first: the body's end (connection released) or close (connection aborted). */
    private final AtomicBoolean settled = new AtomicBoolean();
    /** Bytes left in the current chunk, or of the whole body; -1 until the close-delimited body ends. */
    private long left;
    private boolean ended;

    /** @param release takes the connection back once the whole body was read, when it may be reused */
    Http1Body(Http1Connection connection, Http1Connection.Head head, Consumer<Http1Connection> release)
            throws IOException {
        this.connection = connection;
        this.in = connection.in();
        this.release = release;
        String transferEncoding = head.headers().get("transfer-encoding");
        String contentLength = head.headers().get("content-length");
        boolean bodiless = head.status() < 200 || head.status() == 204 || head.status() == 304;
        chunked = !bodiless && transferEncoding != null
                && transferEncoding.toLowerCase(Locale.ROOT).strip().endsWith("chunked");
        if (bodiless) {
            left = 0;
        } else if (chunked) {
            left = 0; // the first chunk's size line is read by the first read
        } else if (transferEncoding == null && contentLength != null) {
            left = parseLength(contentLength);
        } else {
            left = Long.MAX_VALUE; // until the connection closes
        }
        reusable = head.keepAlive() && (bodiless || chunked || (transferEncoding == null && contentLength != null));
        if (!chunked && left == 0) {
            end();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (ended) {
            return -1;
        }
        if (settled.get()) {
            throw new IOException("the upstream exchange was aborted");
        }
        if (chunked && left == 0 && !nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, left));
        if (n < 0) {
            if (left == Long.MAX_VALUE) {
                end(); // a close-delimited body ends here
                return -1;
            }
            throw new IOException("the upstream closed the connection in the middle of the response body");
        }
        if (left != Long.MAX_VALUE) {
            left -= n;
        }
        if (left == 0 && !chunked) {
            end();
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return ended || settled.get() ? 0 : (int) Math.min(in.available(), left);
    }

    /** Aborts the exchange at once unless the body was read to its end; from any thread; never throws. */
    @Override
    public void close() {
        if (settled.compareAndSet(false, true)) {
            connection.abort();
        }
    }

    /**
     * Reads on to the body's end, if its connection may be reused at all, for at most {@code wait}
     * and {@code maxBytes}, then {@link #close()}s: the connection is back in the pool if the end came,
     * else closed. No thread is started: each read waits at most what is left of {@code wait} (the
     * socket's read timeout). With the wait the relay gives (UpstreamResponse.DRAIN_WAIT, 50 ms), a
     * last chunk from an upstream whose socket delays small writes (Nagle's algorithm against the
     * client's delayed ACK: up to 40 ms on Linux) still comes in time; streaming servers set
     * TCP_NODELAY anyway (nginx, Go's net/http, uvicorn).
     */
    @Override
    public void closeAfterEnd(Duration wait, int maxBytes) {
        if (reusable && !ended && !settled.get()) {
            readToEnd(wait.toNanos(), maxBytes);
        }
        close();
    }

    private void readToEnd(long waitNanos, int maxBytes) {
        long until = System.nanoTime() + waitNanos;
        byte[] skip = new byte[1024];
        int budget = maxBytes;
        try {
            for (long remaining = waitNanos; !ended && budget > 0 && remaining > 0; remaining = until - System.nanoTime()) {
                connection.readTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                int n = read(skip, 0, Math.min(skip.length, budget));
                if (n < 0) {
                    return;
                }
                budget -= n;
            }
        } catch (IOException e) {
            // not in time, or broken: close() aborts
        }
    }

    /** Reads the next chunk's size line (after the previous chunk's CRLF); false at the last chunk, after its trailers. */
    private boolean nextChunk() throws IOException {
        if (started) {
            expectCrlf();
        }
        started = true;
        String line = chunkLine();
        int semicolon = line.indexOf(';');
        String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
        if (size.isEmpty() || size.length() > 15) {
            throw new IOException("malformed chunk size from upstream");
        }
        try {
            left = Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            throw new IOException("malformed chunk size from upstream");
        }
        if (left < 0) {
            throw new IOException("malformed chunk size from upstream");
        }
        if (left > 0) {
            return true;
        }
        while (!chunkLine().isEmpty()) {
            // trailer fields: nothing the relay uses
        }
        end();
        return false;
    }

    private boolean started;

    private void expectCrlf() throws IOException {
        if (!chunkLine().isEmpty()) {
            throw new IOException("malformed chunk from upstream: no CRLF after its data");
        }
    }

    private String chunkLine() throws IOException {
        StringBuilder line = new StringBuilder(8);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the upstream closed the connection in the middle of the response body");
            }
            if (c == '\n') {
                int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
                return line.substring(0, end);
            }
            if (line.length() >= MAX_CHUNK_LINE) {
                throw new IOException("malformed chunk from upstream: a line exceeds " + MAX_CHUNK_LINE + " bytes");
            }
            line.append((char) c);
        }
    }

    /** The body ended as framed: the connection goes back to the pool if it may be reused, else closes. */
    private void end() {
        ended = true;
        if (settled.compareAndSet(false, true)) {
            if (reusable) {
                release.accept(connection);
            } else {
                connection.abort();
            }
        }
    }

    private static long parseLength(String value) throws IOException {
        // Repeated equal values ("5, 5") are allowed by RFC 9112 section 6.3 item 5; anything else is refused.
        String first = null;
        for (String part : value.split(",")) {
            String v = part.strip();
            if (first != null && !first.equals(v)) {
                throw new IOException("conflicting Content-Length from upstream");
            }
            first = v;
        }
        try {
            long length = Long.parseLong(first);
            if (length < 0) {
                throw new NumberFormatException();
            }
            return length;
        } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length from upstream");
        }
    }
}

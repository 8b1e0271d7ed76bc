package io.llmrelay.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.ToDoubleFunction;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An upstream on 127.0.0.1 that streams {@code chunks} chunks, {@code intervalMs} apart, to every
 * POST to its wire's streaming endpoint (HTTP/1.1, keep-alive, chunked transfer encoding,
 * TCP_NODELAY, one thread per connection): OpenAI chat-completion chunks to {@code .../chat/completions},
 * or the same tokens as Anthropic Messages SSE or Bedrock ConverseStream frames ({@link UpstreamWire}).
 *
 * <p>Step {@code i} is due at {@code receipt + firstDelay + i * interval} on an absolute schedule
 * (so one late wake-up does not shift the rest), and the moment it is handed to the socket is
 * recorded under the request's tag (its {@code "user"} field, else the first {@code bench-N} or
 * {@code cold-N} in its body: translated requests drop {@code user}, and carry the tag in the
 * message): a client that finds the same tag in its own request can then tell each chunk's one-way
 * delay, upstream write to client read, on the machine's one monotonic clock (System.nanoTime is
 * CLOCK_MONOTONIC on Linux). A request with
 * {@code stream_options.include_usage} gets a usage chunk right before {@code [DONE]}.
 */
final class ScheduledUpstream implements BenchUpstream, Closeable {
    private static final Pattern TAG = Pattern.compile("(?:bench|cold)-[0-9]+");

    private final ServerSocket server;
    private final UpstreamWire wire;
    private final int chunks;
    private final long intervalNanos;
    private final ToDoubleFunction<String> firstDelayMsByTag;
    private final AtomicInteger chatRequests = new AtomicInteger();
    private static final Pattern INCLUDE_USAGE = Pattern.compile("\"include_usage\"\\s*:\\s*true");
    private final Map<String, AtomicLongArray> sent = new ConcurrentHashMap<>();
    private final Map<String, Receipt> receipts = new ConcurrentHashMap<>();

    /**
     * When a tagged request's body was read whole ({@link System#nanoTime()}), and the relay's
     * invocation id it carried as {@code x-request-id} (null from a direct client): the id joins
     * the bench's timestamps to serve's {@code relay-stages} lines.
     */
    record Receipt(long nanos, String requestId) {}
    private volatile boolean closed;

    ScheduledUpstream(int chunks, double intervalMs, double firstDelayMs) throws IOException {
        this(UpstreamWire.OPENAI, chunks, intervalMs, tag -> firstDelayMs);
    }

    ScheduledUpstream(UpstreamWire wire, int chunks, double intervalMs, double firstDelayMs) throws IOException {
        this(wire, chunks, intervalMs, tag -> firstDelayMs);
    }

    /**
     * @param firstDelayMsByTag the first chunk's delay for the request tagged so (its {@code "user"}
     *                          field; null when it has none): a latency that varies by request
     */
    ScheduledUpstream(int chunks, double intervalMs, ToDoubleFunction<String> firstDelayMsByTag) throws IOException {
        this(UpstreamWire.OPENAI, chunks, intervalMs, firstDelayMsByTag);
    }

    ScheduledUpstream(UpstreamWire wire, int chunks, double intervalMs, ToDoubleFunction<String> firstDelayMsByTag)
            throws IOException {
        if (wire != UpstreamWire.OPENAI && chunks < 3) {
            throw new IllegalArgumentException("a " + wire.label() + " stream needs at least 3 chunks (role, word, finish)");
        }
        this.wire = wire;
        this.chunks = chunks;
        this.intervalNanos = (long) (intervalMs * 1_000_000);
        this.firstDelayMsByTag = firstDelayMsByTag;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        Thread acceptor = new Thread(this::accept, "upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    int port() {
        return server.getLocalPort();
    }

    int chunks() {
        return chunks;
    }

    UpstreamWire wire() {
        return wire;
    }

    /** How many chat completion requests arrived so far. */
    int chatRequests() {
        return chatRequests.get();
    }

    /** Send times (System.nanoTime) of the tagged request's chunks, in order; null if never seen. */
    @Override
    public AtomicLongArray sentTimes(String tag) {
        return sent.get(tag);
    }

    /** The tagged request's receipt; null if never seen. */
    Receipt receipt(String tag) {
        return receipts.get(tag);
    }

    @Override
    public void forget(String tag) {
        sent.remove(tag);
        receipts.remove(tag);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                Thread t = new Thread(() -> serve(socket), "upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("upstream: accept failed: " + e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                String requestLine = readLine(in);
                if (requestLine == null) {
                    return; // the client closed a kept-alive connection
                }
                int length = 0;
                boolean close = false;
                String requestId = null;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    String lower = line.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Integer.parseInt(lower.substring(15).trim());
                    } else if (lower.startsWith("connection:") && lower.contains("close")) {
                        close = true;
                    } else if (lower.startsWith("x-request-id:")) {
                        requestId = line.substring(13).trim();
                    }
                }
                byte[] body = in.readNBytes(length);
                long receipt = System.nanoTime();
                if (!wire.serves(requestLine)) {
                    byte[] notFound = "{\"error\":{\"message\":\"not found\",\"type\":\"invalid_request_error\"}}"
                            .getBytes(StandardCharsets.US_ASCII);
                    out.write(("HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: "
                            + notFound.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(notFound);
                    out.flush();
                    continue;
                }
                chatRequests.incrementAndGet();
                String json = new String(body, StandardCharsets.UTF_8);
                String tag = tagOf(json);
                if (tag != null) {
                    receipts.put(tag, new Receipt(receipt, requestId));
                }
                stream(out, tag, INCLUDE_USAGE.matcher(json).find(), receipt);
                if (close) {
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away mid-stream; nothing to do
        }
    }

    /**
     * @param usage the request set {@code stream_options.include_usage}: after the last chunk, with
     *              it, comes a usage chunk, as OpenAI sends one (the relay asks for it on its own
     *              account and holds it back from a caller who did not)
     */
    private void stream(OutputStream out, String tag, boolean usage, long receipt) throws IOException {
        AtomicLongArray times = new AtomicLongArray(chunks + 1);
        if (tag != null) {
            sent.put(tag, times);
        }
        byte[] head = ("HTTP/1.1 200 OK\r\ncontent-type: " + wire.contentType() + "\r\ncache-control: no-cache\r\n"
                + "transfer-encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        // The head leaves with the first event, in one write (as OpenAI's does when the first token
        // is ready): the first chunk's send time is then the head's too, and a client's time to
        // first byte is its time to the first event.
        long firstDelayNanos = (long) (firstDelayMsByTag.applyAsDouble(tag) * 1_000_000);
        for (int i = 0; i <= chunks; i++) {
            byte[] event = concat(wire.step(i, chunks));
            long due = receipt + firstDelayNanos + (long) Math.min(i, chunks - 1) * intervalNanos;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
            if (usage && i == chunks) {
                out.write(chunked(Chunks.sse(Chunks.usage(chunks))));
            }
            times.set(i, System.nanoTime());
            out.write(i == 0 ? concat(List.of(head, chunked(event))) : chunked(event));
            out.flush();
        }
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static byte[] chunked(byte[] data) {
        byte[] size = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] framed = new byte[size.length + data.length + 2];
        System.arraycopy(size, 0, framed, 0, size.length);
        System.arraycopy(data, 0, framed, size.length, data.length);
        framed[framed.length - 2] = '\r';
        framed[framed.length - 1] = '\n';
        return framed;
    }

    private static byte[] concat(List<byte[]> events) {
        if (events.size() == 1) {
            return events.getFirst();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        events.forEach(out::writeBytes);
        return out.toByteArray();
    }

    /**
     * The value of the body's {@code "user"} field, which the bench client sets to a unique tag; else
     * (a translated request, which drops {@code user}) the first tag in the body, from the message.
     */
    static String tagOf(String json) {
        int key = json.indexOf("\"user\":"); // the member, not a "role":"user" value
        if (key < 0) {
            Matcher tag = TAG.matcher(json);
            return tag.find() ? tag.group() : null;
        }
        int open = json.indexOf('"', json.indexOf(':', key) + 1);
        int close = json.indexOf('"', open + 1);
        return open < 0 || close < 0 ? null : json.substring(open + 1, close);
    }

    /** One header or request line without its CRLF; null at a clean end of stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b == -1) {
                if (line.size() == 0) {
                    return null;
                }
                throw new IOException("connection closed mid-line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }
}

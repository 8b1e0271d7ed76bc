package io.llmrelay.runtime;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Runtime API on a plain server socket that answers each request with scripted bytes, for the
 * replies no well-behaved HTTP server sends: cut, malformed, reset, dribbled. Its request parser is
 * its own (plain HTTP/1.1 with Content-Length or chunked bodies and trailers), not the client's.
 * One connection at a time, as the runtime loop uses it.
 */
final class RawRuntimeApi implements AutoCloseable {
    /** What the fake does with the connection once the reply bytes are out. */
    enum After { KEEP, CLOSE, RESET }

    /** One scripted reply: bytes, then {@code after}; held until {@code gate} opens; sent a byte per write when {@code dribble}. */
    record Reply(byte[] bytes, After after, CountDownLatch gate, boolean dribble) {
        static Reply of(String text, After after) {
            return new Reply(text.getBytes(StandardCharsets.UTF_8), after, null, false);
        }
    }

    /** A request as the fake read it; {@code connection} counts from 1. */
    record Request(int connection, String method, String path, Map<String, String> headers, byte[] body,
            Map<String, String> trailers) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final ServerSocket server;
    private final BlockingQueue<Reply> script = new LinkedBlockingQueue<>();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private RawRuntimeApi() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "raw-runtime-api");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static RawRuntimeApi start() throws IOException {
        return new RawRuntimeApi();
    }

    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    RawRuntimeApi then(String reply, After after) {
        script.add(Reply.of(reply, after));
        return this;
    }

    RawRuntimeApi then(Reply reply) {
        script.add(reply);
        return this;
    }

    /** The next request the fake read, in order. */
    Request request() throws InterruptedException {
        Request request = requests.poll(10, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("no request reached the fake Runtime API");
        }
        return request;
    }

    /** Requests read and not yet taken with {@link #request()}. */
    int pendingRequests() {
        return requests.size();
    }

    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }

    private void acceptLoop() {
        while (!closed) {
            try (Socket socket = server.accept()) {
                serve(socket, connections.incrementAndGet());
            } catch (IOException | InterruptedException e) {
                // the client went away or the fake is closing: wait for the next connection
            }
        }
    }

    private void serve(Socket socket, int connection) throws IOException, InterruptedException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        while (true) {
            Request request = readRequest(in, connection);
            if (request == null) {
                return;
            }
            requests.add(request);
            Reply reply = script.poll(10, TimeUnit.SECONDS);
            if (reply == null) {
                return; // nothing scripted: hang up
            }
            if (reply.gate() != null) {
                reply.gate().await();
            }
            if (reply.dribble()) {
                for (byte b : reply.bytes()) {
                    out.write(b);
                    out.flush();
                }
            } else {
                out.write(reply.bytes());
                out.flush();
            }
            if (reply.after() == After.RESET) {
                socket.setSoLinger(true, 0); // close() then sends RST instead of FIN
                return;
            }
            if (reply.after() == After.CLOSE) {
                return;
            }
        }
    }

    private static Request readRequest(InputStream in, int connection) throws IOException {
        String requestLine = readLine(in);
        if (requestLine == null) {
            return null;
        }
        String[] parts = requestLine.split(" ");
        Map<String, String> headers = readFields(in);
        byte[] body = new byte[0];
        Map<String, String> trailers = Map.of();
        if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else if ("chunked".equals(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            for (int size = chunkSize(in); size > 0; size = chunkSize(in)) {
                data.write(in.readNBytes(size));
                readLine(in);
            }
            body = data.toByteArray();
            trailers = readFields(in);
        }
        return new Request(connection, parts[0], parts[1], headers, body, trailers);
    }

    private static int chunkSize(InputStream in) throws IOException {
        return Integer.parseInt(readLine(in).split(";")[0].trim(), 16);
    }

    private static Map<String, String> readFields(InputStream in) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            fields.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return fields;
    }

    /** A CRLF-ended line, or null at the end of the stream. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != -1; b = in.read()) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            line.write(b);
        }
        return null;
    }

    // ---- replies ---------------------------------------------------------------------------

    static final String ACCEPTED = status(202, "Accepted");

    /** A well-formed invocation, {@code event} as its body. */
    static String invocation(String requestId, String event) {
        return invocationHead(requestId) + "Content-Length: " + utf8Length(event) + "\r\n\r\n" + event;
    }

    /** An invocation's status line and headers, without framing or the empty line. */
    static String invocationHead(String requestId) {
        return "HTTP/1.1 200 OK\r\n"
                + "Content-Type: application/json\r\n"
                + "Lambda-Runtime-Aws-Request-Id: " + requestId + "\r\n"
                + "Lambda-Runtime-Deadline-Ms: " + (System.currentTimeMillis() + 60_000) + "\r\n";
    }

    /** A well-formed reply with a small JSON body. */
    static String status(int code, String reason) {
        String body = "{\"status\":\"" + reason + "\"}";
        return "HTTP/1.1 " + code + " " + reason + "\r\nContent-Type: application/json\r\nContent-Length: "
                + utf8Length(body) + "\r\n\r\n" + body;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}

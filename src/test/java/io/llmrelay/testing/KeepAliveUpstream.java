package io.llmrelay.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * An OpenAI-compatible upstream on 127.0.0.1 written on raw sockets, so that a test sees and steers
 * its connections, which {@code com.sun.net.httpserver} hides: HTTP/1.1 with keep-alive (RFC 9112
 * section 9.3: persistent unless {@code Connection: close}), one thread per connection, every POST
 * answered with a short chunked stream saying {@code hi} in the format its path asks for: OpenAI
 * chat completion chunks ending in {@code [DONE]}, an Anthropic Messages stream ending in
 * {@code message_stop} (a path ending {@code /messages}, {@link AnthropicSse}), or a Bedrock
 * ConverseStream event stream ending in {@code metadata} (a path ending {@code /converse-stream},
 * {@link BedrockFrames}). It counts the
 * connections it accepted and the requests it read, and can misbehave as real servers do with idle
 * connections:
 * <ul>
 *   <li>{@link Idle#CLOSE_AFTER_ANSWER}: closes each connection once its answer is out (a server
 *       whose idle timeout passed while the client's pool held the connection);
 *   <li>{@link Idle#RESET_SECOND_REQUEST}: on a connection's second request, reads its head and
 *       resets the connection (TCP RST, SO_LINGER 0) without answering: the close raced the
 *       client's reuse, and the request was lost while being sent.
 * </ul>
 * With an {@link SSLContext} it serves https: TLS over each accepted TCP connection, so that a
 * connection is still counted once however many requests go over it, and a reset is still a bare
 * TCP RST (no TLS alert first), as when a server or load balancer drops the connection.
 */
public final class KeepAliveUpstream implements AutoCloseable {
    /**
     * The body's last chunk follows its last event as a write of its own, this much later: as it
     * reaches a client across a network, after the relay has read the last event and closed the
     * answer. Whether the connection is then reused depends on the relay reading on to the end
     * (UpstreamResponse.closeAfterEnd, at most 50 ms), not on the end having come in already.
     */
    static final long LAST_CHUNK_DELAY_MS = 10;

    /** What the server does with a connection once it has answered on it. */
    public enum Idle { KEEP, CLOSE_AFTER_ANSWER, RESET_SECOND_REQUEST }

    private final ServerSocket server;
    private final Idle idle;
    /** null: plain http. */
    private final SSLContext tls;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger resets = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> clientClosed = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private KeepAliveUpstream(Idle idle, SSLContext tls) throws IOException {
        this.idle = idle;
        this.tls = tls;
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        Thread acceptor = new Thread(this::accept, "keep-alive-upstream-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static KeepAliveUpstream start(Idle idle) throws IOException {
        return new KeepAliveUpstream(idle, null);
    }

    /** Over https, with {@code tls}'s key and certificate (LoopbackTls.server()). */
    public static KeepAliveUpstream startTls(Idle idle, SSLContext tls) throws IOException {
        return new KeepAliveUpstream(idle, tls);
    }

    public String baseUrl() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Request heads read so far (a reset request counts). */
    public int requests() {
        return requests.get();
    }

    /** Requests answered with a reset. */
    public int resets() {
        return resets.get();
    }

    /** Whether the client closed connection {@code index} (0-based, in accept order) within {@code millis}. */
    public boolean clientClosed(int index, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (clientClosed.size() <= index) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return clientClosed.get(index).await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true); // as streaming servers do (nginx, Go, uvicorn by default): each write leaves at once
                connections.incrementAndGet();
                CountDownLatch gone = new CountDownLatch(1);
                clientClosed.add(gone);
                open.add(socket);
                Thread t = new Thread(() -> serve(socket, gone), "keep-alive-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serve(Socket tcp, CountDownLatch clientGone) {
        try (tcp; Socket socket = tls == null ? tcp : serverSide(tcp)) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            for (int onThisConnection = 1; ; onThisConnection++) {
                String requestLine = readLine(in);
                if (requestLine == null) {
                    clientGone.countDown(); // the client closed the connection
                    return;
                }
                requests.incrementAndGet();
                int length = 0;
                for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                if (idle == Idle.RESET_SECOND_REQUEST && onThisConnection == 2) {
                    resets.incrementAndGet();
                    tcp.setSoLinger(true, 0); // closing the TCP socket itself now sends RST, before any TLS alert
                    tcp.close();
                    return;
                }
                in.readNBytes(length);
                answer(out, requestLine.split(" ")[1]);
                if (idle == Idle.CLOSE_AFTER_ANSWER) {
                    return;
                }
            }
        } catch (SocketException e) {
            clientGone.countDown();
        } catch (IOException e) {
            clientGone.countDown();
        }
    }

    /** TLS over an accepted connection, this end the server; the handshake runs at the first read. */
    private Socket serverSide(Socket tcp) throws IOException {
        return (SSLSocket) tls.getSocketFactory().createSocket(tcp, null, true); // server mode
    }

    private static void answer(OutputStream out, String path) throws IOException {
        String contentType;
        byte[] body;
        if (path.endsWith("/messages")) {
            contentType = AnthropicSse.CONTENT_TYPE;
            body = AnthropicSse.text(5, 1, "end_turn", "hi").getBytes(StandardCharsets.UTF_8);
        } else if (path.endsWith("/converse-stream")) {
            contentType = BedrockFrames.CONTENT_TYPE;
            body = BedrockFrames.textAnswer("end_turn", 5, 1, "hi");
        } else {
            contentType = "text/event-stream";
            body = ("data: " + FakeUpstream.Chunks.content("hi") + "\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
        }
        out.write(("HTTP/1.1 200 OK\r\ncontent-type: " + contentType + "\r\ntransfer-encoding: chunked\r\n\r\n"
                + Integer.toHexString(body.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        pause(LAST_CHUNK_DELAY_MS);
        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); ; b = in.read()) {
            if (b == -1) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }
}

package io.llmrelay.upstream.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * A socket server on 127.0.0.1 for the upstream clients' tests: each connection reads requests
 * (head, Content-Length body) and lets the script answer with raw bytes, so a test writes exactly
 * the framing, the pauses and the closes it means; it counts connections and keeps every request.
 */
final class ScriptedServer implements AutoCloseable {
    /** One request as the server read it, and the socket to answer on. */
    record Exchange(String head, byte[] body, Socket socket, int connection) {
        void answer(String raw) throws IOException {
            OutputStream out = socket.getOutputStream();
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }

    interface Script {
        /** @return false to close the connection after answering */
        boolean answer(Exchange exchange) throws Exception;
    }

    final ServerSocket socket;
    final AtomicInteger connections = new AtomicInteger();
    final List<Exchange> seen = new CopyOnWriteArrayList<>();
    final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Script script;

    ScriptedServer(ServerSocketFactory factory, Script script) throws IOException {
        this.script = script;
        socket = factory.createServerSocket();
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread accept = new Thread(this::accept, "test-upstream");
        accept.setDaemon(true);
        accept.start();
    }

    ScriptedServer(Script script) throws IOException {
        this(ServerSocketFactory.getDefault(), script);
    }

    URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort() + path);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                s.setTcpNoDelay(true); // as streaming servers do (nginx, Go, uvicorn by default): each write leaves at once
                open.add(s);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n));
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int n) {
        try (s) {
            InputStream in = s.getInputStream();
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                int length = 0;
                for (String line : head.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                Exchange exchange = new Exchange(head, in.readNBytes(length), s, n);
                seen.add(exchange);
                if (!script.answer(exchange)) {
                    return;
                }
            }
        } catch (Exception e) {
            // the client went away
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
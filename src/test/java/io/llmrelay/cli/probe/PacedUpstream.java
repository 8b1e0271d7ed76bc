package io.llmrelay.cli.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * An HTTP/1.1 server on 127.0.0.1 that answers each request with a script of writes and pauses,
 * each write one chunk of a chunked body in one socket write (TCP_NODELAY), so a test decides
 * exactly which events leave together and which leave apart: what a buffer that holds writes back
 * would do. {@code FakeUpstream} cannot pause between writes; the probe's tests are about exactly
 * that. Optionally over TLS. Every request's head is recorded (the probe must send its key).
 */
final class PacedUpstream implements AutoCloseable {
    private final ServerSocket server;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private final BlockingQueue<Script> scripts = new LinkedBlockingQueue<>();
    private final BlockingQueue<Map<String, String>> heads = new LinkedBlockingQueue<>();
    private volatile Script fallback;

    private PacedUpstream(ServerSocket server, Script fallback) {
        this.server = server;
        this.fallback = fallback;
        connections.submit(this::acceptLoop);
    }

    static PacedUpstream start(Script byDefault) throws IOException {
        return new PacedUpstream(new ServerSocket(0, 64, InetAddress.getLoopbackAddress()), byDefault);
    }

    static PacedUpstream startTls(SSLContext tls, Script byDefault) throws IOException {
        return new PacedUpstream(tls.getServerSocketFactory().createServerSocket(0, 64, InetAddress.getLoopbackAddress()),
                byDefault);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    String tlsBaseUrl() {
        return "https://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    /** The script for the next request (in order); later requests get the default one. */
    PacedUpstream enqueue(Script script) {
        scripts.add(script);
        return this;
    }

    /** Forgets queued scripts and recorded heads: one test's leftovers must not reach the next. */
    PacedUpstream reset() {
        scripts.clear();
        heads.clear();
        return this;
    }

    /** The next request's head (lower-case names, plus ":path"), waiting up to 10 s. */
    Map<String, String> nextHead() throws InterruptedException {
        Map<String, String> head = heads.poll(10, TimeUnit.SECONDS);
        if (head == null) {
            throw new AssertionError("no request reached the paced upstream within 10 s");
        }
        return head;
    }

    @Override
    public void close() throws IOException {
        server.close();
        connections.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.submit(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            heads.add(readRequest(socket.getInputStream()));
            Script script = scripts.poll();
            (script != null ? script : fallback).play(socket.getOutputStream());
        } catch (IOException | InterruptedException e) {
            // the client went away or the test ended: nothing to tell anyone
        }
    }

    /** Reads the request head and its content-length body, which is all the probe sends. */
    private static Map<String, String> readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(":path", lines[0].split(" ")[1]);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
            }
        }
        in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
        return headers;
    }

    /** A status, a content type, then writes and pauses in order. */
    static final class Script {
        private final int status;
        private final String contentType;
        private final List<Object> steps = new ArrayList<>();

        private Script(int status, String contentType) {
            this.status = status;
            this.contentType = contentType;
        }

        static Script sse() {
            return new Script(200, "text/event-stream");
        }

        static Script of(int status, String contentType) {
            return new Script(status, contentType);
        }

        /** One socket write holding every one of {@code events}, each as {@code data: <event>\n\n}. */
        Script events(String... events) {
            StringBuilder together = new StringBuilder();
            for (String e : events) {
                together.append("data: ").append(e).append("\n\n");
            }
            return raw(together.toString());
        }

        Script done() {
            return events("[DONE]");
        }

        Script raw(String text) {
            steps.add(text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Script pause(long millis) {
            steps.add(millis);
            return this;
        }

        /** {@code count} events, one write each, {@code spacingMs} apart (a pause before every one but the first). */
        Script paced(int count, long spacingMs, java.util.function.IntFunction<String> event) {
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    pause(spacingMs);
                }
                events(event.apply(i));
            }
            return this;
        }

        void play(OutputStream out) throws IOException, InterruptedException {
            out.write(("HTTP/1.1 " + status + " Scripted\r\ncontent-type: " + contentType
                    + "\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            for (Object step : steps) {
                if (step instanceof byte[] bytes) {
                    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
                    chunk.writeBytes((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    chunk.writeBytes(bytes);
                    chunk.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk.toByteArray());
                    out.flush();
                } else if (step instanceof Long millis) {
                    Thread.sleep(millis);
                }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}

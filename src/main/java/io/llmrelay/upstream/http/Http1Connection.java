package io.llmrelay.upstream.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 connection to an upstream, read and written by the thread that sends the request
 * (RFC 9112). Nothing in between: the relay's thread writes the request and reads the response
 * bytes straight off the socket, where the JDK's {@code HttpClient} reads them on its selector
 * thread and hands them over (measured in bench/README.md, "Thread hand-offs").
 *
 * <p>Invariant: one exchange at a time; {@link #abort()} may come from any thread (a watchdog, a
 * hedge that lost) and unblocks a blocked read by closing the socket.
 */
final class Http1Connection {
    /** A response head larger than this is refused (the JDK client's default limit is 384 KiB; upstreams send ~1-2 KiB). */
    static final int MAX_HEAD_BYTES = 64 * 1024;

    final String key;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long idleSince;

    private Http1Connection(String key, Socket socket) throws IOException {
        this.key = key;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    /** {@code scheme://host:port}: connections are pooled per key. */
    static String key(URI uri) {
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost() + ":" + port(uri);
    }

    /**
     * Connects within {@code timeoutMs}; over https with the JDK's default TLS (its trust store,
     * host name verified as an HTTPS client must, RFC 9110 section 4.3.4), offering only
     * {@code http/1.1} by ALPN so that the server does not pick HTTP/2.
     */
    static Http1Connection open(URI uri, SSLSocketFactory tls, int timeoutMs) throws IOException {
        String host = bare(uri.getHost());
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true); // every request and its body go out in one write anyway
            plain.connect(new InetSocketAddress(host, port(uri)), timeoutMs);
            if (!"https".equalsIgnoreCase(uri.getScheme())) {
                return new Http1Connection(key(uri), plain);
            }
            SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port(uri), true);
            SSLParameters parameters = secure.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            parameters.setApplicationProtocols(new String[] {"http/1.1"});
            secure.setSSLParameters(parameters);
            secure.setSoTimeout(timeoutMs);
            secure.startHandshake();
            return new Http1Connection(key(uri), secure);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /**
     * Writes {@code request} with {@code body} in one write: the request line, {@code Host},
     * {@code Content-Length}, the request's headers as built (the JDK's builder has refused any
     * name or value it cannot send, and the restricted ones such as {@code Host}), then the body.
     */
    void write(HttpRequest request, byte[] body) throws IOException {
        URI uri = request.uri();
        StringBuilder head = new StringBuilder(512);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        head.append(request.method()).append(' ').append(path);
        if (uri.getRawQuery() != null) {
            head.append('?').append(uri.getRawQuery());
        }
        head.append(" HTTP/1.1\r\nHost: ").append(uri.getHost());
        if (uri.getPort() >= 0 && uri.getPort() != defaultPort(uri)) {
            head.append(':').append(uri.getPort());
        }
        head.append("\r\nContent-Length: ").append(body.length).append("\r\n");
        for (Map.Entry<String, List<String>> header : request.headers().map().entrySet()) {
            for (String value : header.getValue()) {
                head.append(header.getKey()).append(": ").append(value).append("\r\n");
            }
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, all, 0, headBytes.length);
        System.arraycopy(body, 0, all, headBytes.length, body.length);
        try {
            out.write(all);
            out.flush();
        } catch (SocketException e) {
            throw new UnansweredException("the upstream connection broke while the request was written", e);
        }
    }

    /** A response head: status, headers (names lower case, repeats joined with ", "), and whether the connection stays open after the body. */
    record Head(int status, Map<String, String> headers, boolean keepAlive) {}

    /**
     * Reads the response head within {@code timeoutMs}, skipping interim (1xx) responses.
     *
     * @throws UnansweredException the connection ended or broke before the first byte (a pooled connection the upstream had closed)
     */
    Head readHead(int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        int first;
        try {
            first = in.read();
        } catch (SocketException e) { // reset; a read timeout is not a SocketException and is no reason to resend
            throw new UnansweredException("the upstream connection broke before any answer", e);
        }
        if (first < 0) {
            throw new UnansweredException("the upstream closed the connection before answering", null);
        }
        int[] budget = {MAX_HEAD_BYTES};
        String statusLine = (char) first + line(budget);
        while (true) {
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new IOException("malformed status line from upstream");
            }
            int status = parseStatus(statusLine);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(budget); !header.isEmpty(); header = line(budget)) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line from upstream");
                }
                headers.merge(header.substring(0, colon).strip().toLowerCase(Locale.ROOT), header.substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
            if (status >= 100 && status < 200) {
                statusLine = line(budget); // 100 Continue and other interim answers come before the real one
                continue;
            }
            socket.setSoTimeout(0); // the body's waits are bounded by the relay's watchdogs, which abort()
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            boolean keepAlive = statusLine.startsWith("HTTP/1.1") && !connection.contains("close");
            return new Head(status, headers, keepAlive);
        }
    }

    /** Bounds each read from now on (0: none); the next exchange sets its own. */
    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    InputStream in() {
        return in;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    long idleSince() {
        return idleSince;
    }

    /** Closes the socket; from any thread, any number of times; a read blocked on it fails. */
    void abort() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing is all that was wanted
        }
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    /** The connection broke or ended before any byte of the response: on a reused connection, safe to send again on a fresh one. */
    static final class UnansweredException extends SocketException {
        UnansweredException(String message, Throwable cause) {
            super(message);
            if (cause != null) {
                initCause(cause);
            }
        }
    }

    private static int parseStatus(String statusLine) throws IOException {
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new IOException("malformed status line from upstream");
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }

    /** One line without its CRLF (a bare LF is accepted, RFC 9112 section 2.2), within the head's byte budget. */
    private String line(int[] budget) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the upstream closed the connection in the middle of the response head");
            }
            if (--budget[0] < 0) {
                throw new IOException("the upstream's response head exceeds " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    private static int port(URI uri) {
        return uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri);
    }

    private static int defaultPort(URI uri) {
        return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /** An IPv6 literal's host without its brackets, for connecting. */
    private static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}

package io.llmrelay.runtime.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 client connection to the Runtime API, one request at a time: a request
 * without a body, one with a whole body, or one whose body is streamed in chunks and may end with
 * trailer fields.
 *
 * <p>Why a plain socket instead of a library: a function that fails after part of a streamed
 * response is out reports the failure in HTTP <em>request trailers</em>, and neither
 * {@code java.net.http.HttpClient} nor {@code HttpURLConnection} can send request trailers (AWS's
 * .NET runtime made the same choice). The peer is a local endpoint, so the exchange is small.
 *
 * <p>The connection opens at the first request and stays open between requests. Any failure while
 * a request is written or its reply read drops it (what is left on it cannot be trusted), and so
 * does a reply that says the server closes; the next request then opens a new one. Every reply is
 * read whole or refused ({@link ReplyReader}). Not thread-safe, except {@link #close()}: from any
 * thread it breaks off a waiting call, and a closed connection never opens again.
 */
public final class HttpConnection implements Closeable {
    private static final int BUFFER_BYTES = 16 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String host;
    private final int port;
    private final String hostField;
    private final String userAgent;
    private final ChunkWriter chunks = new ChunkWriter();
    private volatile boolean closed;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    public HttpConnection(String host, int port, String userAgent) {
        this.host = host;
        this.port = port;
        this.hostField = host + ":" + port;
        this.userAgent = userAgent;
    }

    /** True while a connection from an earlier request is open: a request now goes out on it. */
    public boolean isOpen() {
        return socket != null;
    }

    /**
     * A request without a body, and its reply.
     *
     * @throws NoReplyException when the request could not be sent, or the connection ended before
     *                          the first byte of the reply
     */
    public Reply request(String method, String target, Map<String, String> fields) throws IOException {
        sendHead(method, target, fields);
        flushHead();
        return readReply();
    }

    /** A request with a whole body ({@code Content-Length}), and its reply. */
    public Reply request(String method, String target, Map<String, String> fields, byte[] body) throws IOException {
        Map<String, String> withLength = new LinkedHashMap<>(fields);
        withLength.put("Content-Length", Integer.toString(body.length));
        sendHead(method, target, withLength);
        writeAndFlush(body);
        return readReply();
    }

    /**
     * Starts a request whose body follows in chunks ({@link #writeChunk}), announcing the trailer
     * fields its end may carry. The head waits in the buffer and leaves with the first chunk.
     */
    public void startChunked(String method, String target, Map<String, String> fields, List<String> trailerNames)
            throws IOException {
        Map<String, String> chunked = new LinkedHashMap<>(fields);
        chunked.put("Transfer-Encoding", "chunked");
        chunked.put("Trailer", String.join(", ", trailerNames));
        sendHead(method, target, chunked);
    }

    /** One chunk of {@code len > 0} bytes, on the wire when this returns (size line, data and CRLF in one write). */
    public void writeChunk(byte[] b, int off, int len) throws IOException {
        OutputStream stream = connectedOut();
        try {
            chunks.write(stream, b, off, len);
            stream.flush();
        } catch (IOException e) {
            disconnect(); // a half-written request leaves the connection unusable
            throw e;
        }
    }

    /** Pushes out what was written (a started head, for one). */
    public void flush() throws IOException {
        OutputStream stream = connectedOut();
        try {
            stream.flush();
        } catch (IOException e) {
            disconnect();
            throw e;
        }
    }

    /** Ends a chunked body with the last chunk and {@code trailers} (none: an empty map), and reads the reply. */
    public Reply endChunked(Map<String, String> trailers) throws IOException {
        writeAndFlush(ChunkWriter.lastChunk(trailers));
        return readReply();
    }

    /** Drops the connection for good: a call waiting on it fails, and no request opens another. */
    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    private void sendHead(String method, String target, Map<String, String> fields) throws IOException {
        connectIfNeeded();
        OutputStream stream = connectedOut();
        try {
            stream.write(RequestHead.encode(method, target, hostField, userAgent, fields));
        } catch (IOException e) {
            disconnect();
            throw new NoReplyException("could not send a request: " + e.getMessage(), e);
        }
    }

    /** Sends a head that has no body to wait for; failing here, the request surely got no reply. */
    private void flushHead() throws IOException {
        try {
            connectedOut().flush();
        } catch (IOException e) {
            disconnect();
            throw new NoReplyException("could not send a request: " + e.getMessage(), e);
        }
    }

    private void writeAndFlush(byte[] bytes) throws IOException {
        OutputStream stream = connectedOut();
        try {
            stream.write(bytes);
            stream.flush();
        } catch (IOException e) {
            disconnect(); // a half-written request leaves the connection unusable
            throw e;
        }
    }

    /** Reads one reply whole; drops the connection when the reply is bad or the server closes it. */
    private Reply readReply() throws IOException {
        InputStream stream = in;
        if (stream == null) {
            throw lostMidRequest();
        }
        try {
            Reply reply = ReplyReader.read(stream);
            if (!reply.reusable()) {
                disconnect();
            }
            return reply;
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw e instanceof IOException io ? io : new IOException("Runtime API sent a malformed reply", e);
        }
    }

    /** The open connection's output; a request whose connection broke cannot go on on another. */
    private OutputStream connectedOut() throws IOException {
        OutputStream stream = out;
        if (stream == null) {
            throw lostMidRequest();
        }
        return stream;
    }

    private static IOException lostMidRequest() {
        return new IOException("the connection to the Runtime API was lost mid-request");
    }

    private void connectIfNeeded() throws IOException {
        if (closed) {
            throw new IOException("the Runtime API client is closed");
        }
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true); // every chunk is a token a caller is waiting for
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
        s.setSoTimeout(0); // next is a long poll; the Runtime API is never expected to time out
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), BUFFER_BYTES);
        out = new BufferedOutputStream(s.getOutputStream(), BUFFER_BYTES);
    }

    private void disconnect() {
        Socket s = socket;
        socket = null;
        in = null;
        out = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to tell: the connection is being thrown away
            }
        }
    }
}

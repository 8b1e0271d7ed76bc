package io.llmrelay.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A client for the AWS Lambda Runtime API, version 2018-06-01, with response streaming.
 *
 * <p>Reference: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html and the
 * "Response streaming for custom runtimes" section of
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html.
 *
 * <p>Why this speaks HTTP/1.1 over a plain socket instead of using a library: a function that
 * fails after part of a streamed response is out reports the failure in HTTP <em>request
 * trailers</em> ({@code Lambda-Runtime-Function-Error-Type} and
 * {@code Lambda-Runtime-Function-Error-Body}), and neither {@code java.net.http.HttpClient} nor
 * {@code HttpURLConnection} can send request trailers. AWS's .NET runtime made the same choice.
 * The exchange is small: one keep-alive connection to a local endpoint, one request at a time.
 *
 * <p>The calls, in the order a runtime makes them:
 * <pre>
 *   GET  /runtime/invocation/next                 long poll: the next event and its headers
 *   POST /runtime/invocation/{id}/response        the result, here streamed in chunks
 *   POST /runtime/invocation/{id}/error           a failure before any response byte
 *   POST /runtime/init/error                      a failure before the first next
 * </pre>
 * An instance is not thread-safe: a runtime loop owns one.
 */
public final class RuntimeApiClient implements Closeable {
    public static final String API_VERSION = "2018-06-01";

    static final String REQUEST_ID = "lambda-runtime-aws-request-id";
    static final String DEADLINE_MS = "lambda-runtime-deadline-ms";
    static final String FUNCTION_ARN = "lambda-runtime-invoked-function-arn";
    static final String TRACE_ID = "lambda-runtime-trace-id";
    static final String CLIENT_CONTEXT = "lambda-runtime-client-context";
    static final String COGNITO_IDENTITY = "lambda-runtime-cognito-identity";
    static final String TENANT_ID = "lambda-runtime-aws-tenant-id";
    static final String INVOCATION_ID = "lambda-runtime-invocation-id";

    private static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
    private static final String ERROR_BODY = "Lambda-Runtime-Function-Error-Body";
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Request ids travel in a request path: anything outside this set would be an injection. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Keeps a misbehaving endpoint from making us buffer without bound. */
    private static final int MAX_HEAD_BYTES = 64 * 1024;

    private final String host;
    private final int port;
    private final String userAgent;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final byte[] chunkHead = new byte[10];

    /** @param address the value of {@code AWS_LAMBDA_RUNTIME_API}, {@code host:port} */
    public RuntimeApiClient(String address, String userAgent) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API must be host:port, was '" + address + "'");
        }
        this.host = address.substring(0, colon);
        this.port = Integer.parseInt(address.substring(colon + 1));
        this.userAgent = userAgent;
    }

    /** Waits, without a timeout, for the next invocation. */
    public Invocation next() throws IOException {
        Response response;
        boolean reused = socket != null;
        try {
            sendHead("GET", "/runtime/invocation/next", Map.of());
            response = readResponse();
        } catch (IOException e) {
            if (!reused) {
                throw e;
            }
            // A kept-alive connection may have been closed by the other side since the last
            // call (for example after a response stream was aborted): one fresh try.
            sendHead("GET", "/runtime/invocation/next", Map.of());
            response = readResponse();
        }
        if (response.status() != 200) {
            throw new IOException("Runtime API answered " + response.status() + " to next: " + response.bodyText());
        }
        String requestId = response.header(REQUEST_ID);
        if (requestId == null || !SAFE_ID.matcher(requestId).matches()) {
            throw new IOException("Runtime API sent an invocation without a usable " + REQUEST_ID + ": " + requestId);
        }
        long deadline;
        try {
            deadline = Long.parseLong(response.header(DEADLINE_MS, "0").trim());
        } catch (NumberFormatException e) {
            throw new IOException("Runtime API sent a malformed " + DEADLINE_MS + " header", e);
        }
        return new Invocation(
                requestId,
                deadline,
                response.header(FUNCTION_ARN),
                response.header(TRACE_ID),
                response.header(CLIENT_CONTEXT),
                response.header(COGNITO_IDENTITY),
                response.header(TENANT_ID),
                response.header(INVOCATION_ID),
                response.body());
    }

    /**
     * The streamed response of an invocation. Nothing is sent until the first write (or until
     * {@link StreamingResponse#finish()}), so a handler that fails before writing can still be
     * reported through {@link #reportInvocationError}.
     */
    public StreamingResponse streamResponse(Invocation invocation) {
        return new StreamingResponse(invocation);
    }

    /** {@code POST /runtime/invocation/{id}/error}: the invocation failed before any response byte. */
    public void reportInvocationError(Invocation invocation, ErrorReport error) throws IOException {
        postError("/runtime/invocation/" + invocation.requestId() + "/error", invocation.invocationId(), error);
    }

    /** {@code POST /runtime/init/error}: the function could not start; the process should exit. */
    public void reportInitError(ErrorReport error) throws IOException {
        postError("/runtime/init/error", null, error);
    }

    @Override
    public void close() {
        disconnect();
    }

    private void postError(String path, String invocationId, ErrorReport error) throws IOException {
        byte[] body = error.toJson();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Content-Length", Integer.toString(body.length));
        headers.put(ERROR_TYPE, error.category());
        if (invocationId != null) {
            headers.put("Lambda-Runtime-Invocation-Id", invocationId);
        }
        sendHead("POST", path, headers);
        writeAndFlush(body);
        expectAccepted(path, readResponse());
    }

    /**
     * The response of one invocation, streamed with {@code Transfer-Encoding: chunked}: each
     * {@code write} is one chunk, on the wire when {@code write} returns.
     */
    public final class StreamingResponse extends ResponseStream {
        private final Invocation invocation;
        private String contentType = "application/octet-stream";
        private boolean headSent;
        private boolean finished;
        private long bytesWritten;

        private StreamingResponse(Invocation invocation) {
            this.invocation = invocation;
        }

        @Override
        public void setContentType(String contentType) {
            if (headSent) {
                throw new IllegalStateException("the response has started; its content type is fixed");
            }
            this.contentType = contentType;
        }

        @Override
        public boolean isCommitted() {
            return headSent;
        }

        public boolean isFinished() {
            return finished;
        }

        public long bytesWritten() {
            return bytesWritten;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (finished) {
                throw new IOException("the response of " + invocation.requestId() + " is already complete");
            }
            if (len == 0) {
                return;
            }
            sendHeadOnce();
            OutputStream stream = connectedOut();
            try {
                writeChunkHead(stream, len);
                stream.write(b, off, len);
                stream.write(CRLF);
                stream.flush(); // one write(2) for the whole chunk: size line, data, CRLF
            } catch (IOException e) {
                disconnect(); // a half-written request leaves the connection unusable
                throw e;
            }
            bytesWritten += len;
        }

        @Override
        public void flush() throws IOException {
            if (headSent && !finished) {
                connectedOut().flush();
            }
        }

        /** Ends the response successfully: the last chunk, then Lambda's 202. Idempotent. */
        public void finish() throws IOException {
            if (finished) {
                return;
            }
            finished = true;
            sendHeadOnce();
            endBody(new byte[] {'0', '\r', '\n', '\r', '\n'});
        }

        /**
         * Ends a response that already sent bytes with a failure, reported in the trailers
         * that the request head announced.
         */
        public void fail(ErrorReport error) throws IOException {
            if (finished) {
                throw new IllegalStateException("the response is already complete");
            }
            finished = true;
            sendHeadOnce();
            String errorBody = Base64.getEncoder().encodeToString(error.toJson());
            String trailers = "0\r\n"
                    + ERROR_TYPE + ": " + headerValue(error.category()) + "\r\n"
                    + ERROR_BODY + ": " + errorBody + "\r\n"
                    + "\r\n";
            endBody(trailers.getBytes(StandardCharsets.US_ASCII));
        }

        /** Writes the last chunk (and trailers) and reads Lambda's verdict on the response. */
        private void endBody(byte[] lastChunk) throws IOException {
            writeAndFlush(lastChunk);
            expectAccepted("response", readResponse());
        }

        /** Closing the stream completes the response, as ending a Node.js response stream does. */
        @Override
        public void close() throws IOException {
            finish();
        }

        private void sendHeadOnce() throws IOException {
            if (headSent) {
                return;
            }
            headSent = true;
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Content-Type", contentType);
            headers.put("Lambda-Runtime-Function-Response-Mode", "streaming");
            headers.put("Transfer-Encoding", "chunked");
            headers.put("Trailer", ERROR_TYPE + ", " + ERROR_BODY);
            if (invocation.invocationId() != null) {
                headers.put("Lambda-Runtime-Invocation-Id", invocation.invocationId());
            }
            sendHead("POST", "/runtime/invocation/" + invocation.requestId() + "/response", headers);
        }
    }

    // ---- HTTP/1.1 plumbing -------------------------------------------------------------------

    /** {@code <hex size>\r\n}, without allocating (it runs once per token). */
    private void writeChunkHead(OutputStream stream, int size) throws IOException {
        int digits = Math.max(1, (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4);
        for (int i = digits - 1; i >= 0; i--) {
            chunkHead[digits - 1 - i] = HEX[(size >>> (4 * i)) & 0xf];
        }
        chunkHead[digits] = '\r';
        chunkHead[digits + 1] = '\n';
        stream.write(chunkHead, 0, digits + 2);
    }

    private void sendHead(String method, String path, Map<String, String> headers) throws IOException {
        connectIfNeeded();
        StringBuilder head = new StringBuilder(256)
                .append(method).append(" /").append(API_VERSION).append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append(':').append(port).append("\r\n")
                .append("User-Agent: ").append(userAgent).append("\r\n");
        for (Map.Entry<String, String> h : headers.entrySet()) {
            head.append(h.getKey()).append(": ").append(headerValue(h.getValue())).append("\r\n");
        }
        head.append("\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (!"POST".equals(method)) {
                out.flush();
            }
        } catch (IOException e) {
            disconnect();
            throw e;
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

    /** The open connection's output; a request whose connection broke cannot go on on another. */
    private OutputStream connectedOut() throws IOException {
        if (out == null) {
            throw new IOException("the connection to the Runtime API was lost mid-request");
        }
        return out;
    }

    private void connectIfNeeded() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true); // every chunk is a token an avatar is waiting for
        s.setKeepAlive(true);
        s.connect(new InetSocketAddress(host, port), 10_000);
        s.setSoTimeout(0); // next is a long poll; the Runtime API is never expected to time out
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
        out = new BufferedOutputStream(s.getOutputStream(), 16 * 1024);
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

    private static void expectAccepted(String what, Response response) throws IOException {
        if (response.status() != 202) {
            throw new IOException("Runtime API answered " + response.status() + " to " + what + ": "
                    + response.bodyText());
        }
    }

    /** Reads one response; closes the connection when it cannot be reused. */
    private Response readResponse() throws IOException {
        try {
            String statusLine = readLine();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("Runtime API sent a malformed status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = readHeaders();
            byte[] body;
            boolean reusable = !"close".equalsIgnoreCase(headers.get("connection"));
            String length = headers.get("content-length");
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = readChunkedBody();
            } else if (length != null) {
                body = in.readNBytes(Integer.parseInt(length.trim()));
            } else if (status == 204 || status == 304 || status / 100 == 1) {
                body = new byte[0];
            } else {
                body = in.readAllBytes();
                reusable = false;
            }
            if (!reusable) {
                disconnect();
            }
            return new Response(status, headers, body);
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw e instanceof IOException io ? io : new IOException("Runtime API sent a malformed response", e);
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        int total = 0;
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            total += line.length();
            if (total > MAX_HEAD_BYTES) {
                throw new IOException("Runtime API response head exceeds " + MAX_HEAD_BYTES + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IOException("Runtime API sent a malformed header line: " + line);
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        return headers;
    }

    private byte[] readChunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
            if (size == 0) {
                readHeaders(); // trailers, if any, end with an empty line
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            if (!readLine().isEmpty()) {
                throw new IOException("Runtime API sent a chunk without its closing CRLF");
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("Runtime API closed the connection");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.UTF_8);
            }
            if (line.size() >= MAX_HEAD_BYTES) {
                throw new IOException("Runtime API sent a line longer than " + MAX_HEAD_BYTES + " bytes");
            }
            line.write(b);
        }
    }

    /** Header values may not carry line breaks: they would end the header early. */
    private static String headerValue(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }

    private record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name);
        }

        String header(String name, String fallback) {
            return headers.getOrDefault(name, fallback);
        }

        String bodyText() {
            String text = new String(body, StandardCharsets.UTF_8);
            return text.length() > 500 ? text.substring(0, 500) + "..." : text;
        }
    }
}

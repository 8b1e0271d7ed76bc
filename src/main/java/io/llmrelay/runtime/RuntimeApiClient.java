package io.llmrelay.runtime;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
 * An instance is not thread-safe: a runtime loop owns one. Only {@link #close()} may come from
 * another thread: it breaks off a waiting call, and a closed client never connects again.
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
    private static final String NEXT_PATH = "/runtime/invocation/next";

    private final String host;
    private final int port;
    private final String userAgent;
    private volatile boolean closed;
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
        try {
            this.port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API must be host:port, was '" + address + "'");
        }
        this.userAgent = userAgent;
    }

    /**
     * {@code GET /runtime/invocation/next}: waits, without a timeout, for the next invocation (a
     * long poll: Lambda may freeze the environment inside this call for hours).
     *
     * <p>Protocol consequence: calling {@code next} completes the previous invocation; Lambda
     * bills and may freeze the environment from here on, so nothing of the previous invocation may
     * still be running (aws-lambda-go, lambda/runtime_api_client.go: "An invoke is not complete
     * until next() is called again!").
     *
     * <p>Success is 200 and only 200, as in aws-lambda-go's {@code next}; any other status is a
     * {@link RuntimeApiStatusException}, a malformed or cut reply an {@link IOException} (the
     * connection is dropped). On a kept-alive connection that broke before any byte of the reply
     * came back (the other side may have closed it since the last call) the request is sent once
     * more on a fresh connection; once part of a reply has arrived it is never sent again, since
     * the invocation may have been handed out already.
     */
    public Invocation next() throws IOException {
        boolean reused = socket != null;
        ReplyReader.Reply reply;
        try {
            sendHead("GET", NEXT_PATH, Map.of());
            reply = readReply();
        } catch (ReplyReader.NoReplyException e) {
            if (!reused) {
                throw e;
            }
            sendHead("GET", NEXT_PATH, Map.of());
            reply = readReply();
        }
        if (reply.status() != 200) {
            throw new RuntimeApiStatusException("next", reply.status(), reply.bodyText());
        }
        String requestId = reply.header(REQUEST_ID);
        if (requestId == null || !SAFE_ID.matcher(requestId).matches()) {
            throw new IOException("Runtime API sent an invocation without a usable " + REQUEST_ID);
        }
        long deadline;
        try {
            deadline = Long.parseLong(reply.headers().getOrDefault(DEADLINE_MS, "0").trim());
        } catch (NumberFormatException e) {
            throw new IOException("Runtime API sent a malformed " + DEADLINE_MS + " header", e);
        }
        return new Invocation(
                requestId,
                deadline,
                reply.header(FUNCTION_ARN),
                reply.header(TRACE_ID),
                reply.header(CLIENT_CONTEXT),
                reply.header(COGNITO_IDENTITY),
                reply.header(TENANT_ID),
                reply.header(INVOCATION_ID),
                reply.body());
    }

    /**
     * The streamed response of an invocation. Nothing is sent until the first write (or until
     * {@link StreamingResponse#finish()}), so a handler that fails before writing can still be
     * reported through {@link #reportInvocationError}.
     */
    public StreamingResponse streamResponse(Invocation invocation) {
        return new StreamingResponse(invocation);
    }

    /**
     * {@code POST /runtime/invocation/{id}/error}: the invocation failed before any response byte.
     *
     * <p>Protocol consequence: Lambda marks the invocation failed; the environment stays in use
     * and is billed until the next {@code next} (aws-lambda-go, runtime_api_client.go failure():
     * "The execution of the function process continues, and is billed, until next() is called
     * again!"). Success is 202 only (aws-lambda-go's post and the Java runtime interface client's
     * reportLambdaError both expect exactly 202); any other status is a
     * {@link RuntimeApiStatusException}.
     */
    public void reportInvocationError(Invocation invocation, ErrorReport error) throws IOException {
        postError("error", "/runtime/invocation/" + invocation.requestId() + "/error", invocation.invocationId(), error);
    }

    /**
     * {@code POST /runtime/init/error}: the function could not start.
     *
     * <p>Protocol consequence: the process should exit next, whatever the answer (aws-lambda-go,
     * runtime_api_client.go initError: "After calling this function, the caller should call
     * os.Exit()"); Lambda reports the error to the caller and starts a new environment. Success is
     * 202 only; any other status is a {@link RuntimeApiStatusException}.
     */
    public void reportInitError(ErrorReport error) throws IOException {
        postError("init/error", "/runtime/init/error", null, error);
    }

    @Override
    public void close() {
        closed = true;
        disconnect();
    }

    private void postError(String call, String path, String invocationId, ErrorReport error) throws IOException {
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
        expectAccepted(call, readReply());
    }

    /**
     * {@code POST /runtime/invocation/{id}/response}, streamed with {@code Transfer-Encoding:
     * chunked}: each {@code write} is one chunk, on the wire when {@code write} returns.
     *
     * <p>Protocol consequence: once the last chunk (or the error trailers) is answered with 202,
     * Lambda has the whole response, but the invocation is complete only at the next
     * {@code next} (aws-lambda-go, runtime_api_client.go success(): "An invoke is not complete
     * until next() is called again!"). Success is 202 only, as for aws-lambda-go's post; any other
     * status is a {@link RuntimeApiStatusException}, a cut or malformed reply an
     * {@link IOException} after which the connection is dropped.
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
            String errorBody = error.toBase64();
            String trailers = "0\r\n"
                    + ERROR_TYPE + ": " + headerValue(error.category()) + "\r\n"
                    + ERROR_BODY + ": " + errorBody + "\r\n"
                    + "\r\n";
            endBody(trailers.getBytes(StandardCharsets.US_ASCII));
        }

        /** Writes the last chunk (and trailers) and reads Lambda's verdict on the response. */
        private void endBody(byte[] lastChunk) throws IOException {
            writeAndFlush(lastChunk);
            expectAccepted("response", readReply());
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
            throw new ReplyReader.NoReplyException("could not send a request: " + e.getMessage(), e);
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
        if (closed) {
            throw new IOException("the Runtime API client is closed");
        }
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

    private static void expectAccepted(String call, ReplyReader.Reply reply) throws IOException {
        if (reply.status() != 202) {
            throw new RuntimeApiStatusException(call, reply.status(), reply.bodyText());
        }
    }

    /** Reads one reply whole; drops the connection when the reply is bad or the server closes it. */
    private ReplyReader.Reply readReply() throws IOException {
        InputStream stream = in;
        if (stream == null) {
            throw new IOException("the connection to the Runtime API was lost mid-request");
        }
        try {
            ReplyReader.Reply reply = ReplyReader.read(stream);
            if (!reply.reusable()) {
                disconnect();
            }
            return reply;
        } catch (IOException | RuntimeException e) {
            disconnect();
            throw e instanceof IOException io ? io : new IOException("Runtime API sent a malformed reply", e);
        }
    }

    /** Header values may not carry line breaks: they would end the header early. */
    private static String headerValue(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }
}

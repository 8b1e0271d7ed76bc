package io.llmrelay.upstream;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An upstream's answer, status and head already received, body still to be read.
 *
 * <p>{@link #close()} abandons the exchange at once rather than draining it: when the caller
 * goes away mid-stream, closing is what stops the upstream generating (and billing) tokens.
 *
 * @param headers response headers, names lower-case, repeated values joined with ", "
 */
public record UpstreamResponse(int status, Map<String, String> headers, InputStream body) implements Closeable {
    /** The most {@link #closeAfterEnd()} reads after the last event: a last-chunk and trailers, never a stream. */
    static final int DRAIN_LIMIT = 16 * 1024;
    /** The longest {@link #closeAfterEnd()} waits for the body's end; normally it is already in. */
    static final Duration DRAIN_WAIT = Duration.ofMillis(50);
    private static final List<String> REQUEST_ID_HEADERS = List.of("x-request-id", "request-id", "x-amzn-requestid");

    public UpstreamResponse {
        Objects.requireNonNull(body, "body");
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** A header by name, any case; null when absent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The upstream's own id for this exchange, as its support and logs know it: {@code x-request-id}
     * (OpenAI and most OpenAI-compatible servers), {@code request-id} (Anthropic,
     * https://docs.anthropic.com/en/api/overview "Response headers"), or {@code x-amzn-requestid}
     * (AWS services, Bedrock among them); null when it sent none. As the upstream wrote it: whoever
     * logs it bounds it.
     */
    public String requestId() {
        for (String name : REQUEST_ID_HEADERS) {
            String id = headers.get(name);
            if (id != null) {
                return id;
            }
        }
        return null;
    }

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** The media type when it is {@code application/json} or any {@code +json} type (lower case, no parameters); else null. */
    public String jsonMediaType() {
        String contentType = header("content-type");
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.endsWith("+json") && type.length() <= 100) ? type : null;
    }

    /**
     * Reads the body up to {@code maxBytes}, for error bodies that are reported rather than
     * streamed; whatever lies beyond the limit is left unread (and is discarded by close).
     */
    public byte[] readBody(int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < maxBytes && (n = body.read(buffer, 0, Math.min(buffer.length, maxBytes - out.size()))) >= 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /**
     * Closes an answer whose stream ended properly ({@code [DONE]}, or a provider's last event), so
     * that its connection can serve the next request: a chunked body's last chunk (RFC 9112 section
     * 7.1) usually arrives just after the last event, and a connection is pooled only once its body
     * was read to that end. Its transport does that ({@link PooledBody}: it alone knows whether its
     * connection may be reused, and how to bound a read), reading at most {@value #DRAIN_LIMIT} bytes
     * for at most {@link #DRAIN_WAIT}: an upstream that keeps its body open after its last event is
     * cut off then rather than holding up the invocation's end (the caller already has its answer).
     * A body with no connection behind it (the demo model, a translated answer) is just closed.
     */
    public void closeAfterEnd() {
        if (body instanceof PooledBody pooled) {
            pooled.closeAfterEnd(DRAIN_WAIT, DRAIN_LIMIT);
        } else {
            close();
        }
    }

    /** Aborts the exchange; safe to call more than once, from any thread, and never throws. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException | RuntimeException e) {
            // Nothing useful to do: the exchange is being abandoned either way.
        }
    }
}

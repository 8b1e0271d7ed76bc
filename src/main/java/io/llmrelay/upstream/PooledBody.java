package io.llmrelay.upstream;

import java.time.Duration;

/**
 * A response body read off a connection its transport pools: only the transport knows whether
 * that connection may serve another request once the body's end is read, and how a read of it can
 * be bounded in time. {@link UpstreamResponse#closeAfterEnd()} hands a finished answer to it; any
 * other body has no connection to keep, and is simply closed.
 */
public interface PooledBody {
    /**
     * Reads what is left of the body (after a stream's last event: a chunked body's last chunk and
     * trailers, RFC 9112 section 7.1), at most {@code maxBytes} and for at most about {@code wait},
     * so that its connection goes back to the pool; then closes the body, which abandons the exchange
     * (its connection closed) when the end did not come within those bounds. Called by the thread
     * that read the body, once nothing else reads it; never throws.
     */
    void closeAfterEnd(Duration wait, int maxBytes);
}

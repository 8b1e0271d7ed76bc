package io.llmrelay.runtime;

import java.io.OutputStream;

/**
 * The {@link OutputStream} a handler receives: it is the invocation's streamed response.
 *
 * <p>Every {@code write} leaves for the Runtime API as one HTTP chunk at once; nothing
 * collects the response. Before the first byte a handler may still choose the response's
 * content type, which Lambda propagates to the caller (a Function URL reads
 * {@code application/vnd.awslambda.http-integration-response} as "prelude, 8 NULs, body").
 */
public abstract class ResponseStream extends OutputStream {

    /** Sets the Content-Type of the streamed response; only before the first byte. */
    public abstract void setContentType(String contentType);

    /** True once any byte (or the response head) has gone to the Runtime API. */
    public abstract boolean isCommitted();
}

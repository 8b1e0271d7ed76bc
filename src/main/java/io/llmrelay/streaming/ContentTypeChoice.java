package io.llmrelay.streaming;

/**
 * A streamed response whose Content-Type can still be chosen: until its first byte, the handler
 * that writes it may set the type Lambda passes on with it. A Function URL reads the type
 * {@code application/vnd.awslambda.http-integration-response} as "prelude, 8 NULs, body".
 *
 * <p>This is the contract between a streaming runtime and its handlers, beside
 * aws-lambda-java-core's {@code RequestStreamHandler}: the runtime's response stream implements
 * it, and a handler, which is given a plain {@code OutputStream}, asks whether its stream offers
 * it. It has a package of its own so that neither side depends on the other: the runtime knows
 * nothing of Function URLs, and the Function URL framing knows nothing of the runtime.
 */
public interface ContentTypeChoice {

    /**
     * Sets the response's Content-Type.
     *
     * @throws IllegalStateException once the response has started: its content type is fixed then
     */
    void setContentType(String contentType);
}

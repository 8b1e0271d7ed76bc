package io.llmrelay.upstream.bedrock;

import java.net.URI;
import java.util.Map;

/**
 * Signs one Bedrock request with AWS Signature Version 4
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * service {@code bedrock}. An interface so that this package needs no AWS SDK type: the relay's
 * AWS wiring implements it with the SDK's signer and the standard credential chain.
 */
public interface RequestSigner {

    /**
     * The headers that authenticate this exact request: {@code Authorization}, {@code X-Amz-Date},
     * and {@code X-Amz-Security-Token} with temporary credentials. Never {@code Host}, which the
     * HTTP client sets from the URI (and which is signed as such).
     *
     * @param headers the headers the request will carry besides those (all of them are signed)
     * @throws SigningException when no credentials are available
     */
    Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] body, String region)
            throws SigningException;

    /** No AWS credentials could be found or used; the message names no secret. */
    final class SigningException extends Exception {
        public SigningException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

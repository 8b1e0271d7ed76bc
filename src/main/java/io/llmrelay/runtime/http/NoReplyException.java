package io.llmrelay.runtime.http;

import java.io.IOException;

/**
 * The request could not be sent, or the connection ended or broke before the first byte of its
 * reply: the request may never have reached the server (a kept-alive connection it had already
 * closed), so a caller may send it again where doing so twice is harmless.
 */
public final class NoReplyException extends IOException {
    NoReplyException(String message, Throwable cause) {
        super(message, cause);
    }
}

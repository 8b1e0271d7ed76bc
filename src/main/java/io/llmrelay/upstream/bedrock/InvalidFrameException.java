package io.llmrelay.upstream.bedrock;

/** Bytes that are not an event-stream message: a checksum that does not match, impossible lengths, bad headers. */
public final class InvalidFrameException extends Exception {
    public InvalidFrameException(String message) {
        super(message);
    }
}

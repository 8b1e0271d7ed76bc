package io.llmrelay.openai;

/**
 * What one upstream SSE {@code data} payload becomes on the way to the caller: the exact bytes
 * to write, and whether the stream ends there.
 */
public sealed interface EncodedEvent {

    /** The bytes to write to the caller, a complete SSE event. */
    byte[] bytes();

    /** True when the relay should stop reading the upstream after writing {@link #bytes()}. */
    boolean endsStream();

    /** A completion chunk, to be written and followed by more. */
    record Chunk(byte[] bytes) implements EncodedEvent {
        @Override
        public boolean endsStream() {
            return false;
        }
    }

    /** The upstream's {@code [DONE]}. */
    record Done(byte[] bytes) implements EncodedEvent {
        @Override
        public boolean endsStream() {
            return true;
        }
    }

    /** An {@code {"error":...}} the upstream sent inside a 200 stream; {@code bytes} is its error event. */
    record UpstreamError(OpenAiError error, byte[] bytes) implements EncodedEvent {
        @Override
        public boolean endsStream() {
            return true;
        }
    }

    /**
     * A {@code data} payload that is not one JSON object (nor {@code [DONE]}): no OpenAI client
     * can read it (the SDKs fail on it with a JSON decoding error), so the relay ends the stream
     * with {@code error}, an {@code upstream_invalid_response}, instead of passing it on.
     */
    record Invalid(OpenAiError error, byte[] bytes) implements EncodedEvent {
        @Override
        public boolean endsStream() {
            return true;
        }
    }
}

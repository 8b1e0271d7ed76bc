package io.llmrelay.upstream.translation;

import java.io.IOException;

/**
 * Where a stream translator puts each OpenAI {@code chat.completion.chunk} the moment the provider
 * event behind it is decoded: one JSON object per call, without SSE framing ({@code data: }).
 * Writing to a caller that has gone away throws, which ends the translation.
 */
@FunctionalInterface
public interface ChunkSink {
    void accept(byte[] chunkJson) throws IOException;
}

package io.llmrelay.bench.jmh;

import io.llmrelay.openai.ChatSse;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.openai.ChunkDecoder;

/** The chunk payloads of the microbenchmarks (the same shapes as the latency bench streams). */
public final class BenchChunks {
    private BenchChunks() {}

    /**
     * What the relay does with one OpenAI-compatible upstream event's data on its way to the
     * caller: the adapter's decode (every payload here is a chunk), then the chat SSE frame.
     */
    public static byte[] relayed(ChunkDecoder decoder, String data) {
        return ChatSse.frame(((StreamItem.Chunk) decoder.decode(data)).json());
    }

    private static String chunk(String delta) {
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":null}]}";
    }

    /** One token: the most common event of any stream (~200 bytes). */
    public static final String SMALL = chunk("{\"content\":\" relay\"}");

    /** A tool-call delta with a long arguments fragment (~1.3 KB). */
    public static final String LARGE;

    /** One token from a server that leaves out id/object/created/model: the encoder re-serialises it. */
    public static final String NO_IDS = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\" relay\"},\"finish_reason\":null}]}";

    static {
        StringBuilder args = new StringBuilder("{\\\"query\\\":\\\"");
        while (args.length() < 1000) {
            args.append("voice avatar latency budget ");
        }
        args.append("\\\",\\\"filters\\\":{\\\"lang\\\":\\\"en\\\",\\\"limit\\\":10}}");
        LARGE = chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_abc123XYZ\",\"type\":\"function\","
                + "\"function\":{\"name\":\"search_knowledge_base\",\"arguments\":\"" + args + "\"}}]}");
    }
}

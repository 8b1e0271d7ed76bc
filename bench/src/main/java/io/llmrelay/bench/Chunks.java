package io.llmrelay.bench;

import java.nio.charset.StandardCharsets;

/** Chat-completion chunks as OpenAI streams them, as whole SSE events ({@code data: ...\n\n}). */
final class Chunks {
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final String[] WORDS = {" The", " relay", " forwards", " every", " token", " the", " moment",
        " it", " arrives", ","};

    private Chunks() {}

    private static String chunk(String delta, String finishReason) {
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,"
                + "\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]}";
    }

    /** The data of chunk {@code i} of {@code n}: the role first, one word each, the finish reason last. */
    static String data(int i, int n) {
        if (i == 0) {
            return chunk("{\"role\":\"assistant\",\"content\":\"\"}", "null");
        }
        if (i == n - 1) {
            return chunk("{}", "\"stop\"");
        }
        return smallToken(word(i));
    }

    /** The word chunk {@code i} carries (1 to n - 2), whatever the upstream's wire format. */
    static String word(int i) {
        return WORDS[i % WORDS.length];
    }

    /** A one-token content chunk, the most common event of any stream. */
    static String smallToken(String word) {
        return chunk("{\"content\":\"" + word + "\"}", "null");
    }

    /** The usage chunk OpenAI sends last when asked ({@code stream_options.include_usage}): no choices, the counts. */
    static String usage(int completionTokens) {
        return "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                + "\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[],\"usage\":{"
                + "\"prompt_tokens\":12,\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                + (12 + completionTokens) + "}}";
    }

    static byte[] event(int i, int n) {
        return sse(data(i, n));
    }

    static byte[] sse(String data) {
        return ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}

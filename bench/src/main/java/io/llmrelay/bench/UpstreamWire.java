package io.llmrelay.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the scheduled upstream speaks, and the relay route that reads it: OpenAI chat-completion
 * SSE, Anthropic Messages SSE (https://docs.anthropic.com/en/docs/build-with-claude/streaming), or
 * Bedrock ConverseStream event-stream frames
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html, framed by
 * {@link EventStreamFrames}). Written from those references, not from the relay's translators.
 *
 * <p>A stream of {@code n} chunks is {@code n + 1} steps, each due on the schedule and written in
 * one go: step {@code i < n} is whatever the provider sends for what becomes the relay's chunk
 * {@code i} (0 the role, 1 to n - 2 one word each, n - 1 the finish reason), step {@code n} what
 * becomes {@code [DONE]}. So the relay's event {@code i} and the upstream's step {@code i} are the
 * same token, reached directly or through the relay.
 */
enum UpstreamWire {
    OPENAI("text/event-stream", "/chat/completions", false),
    ANTHROPIC("text/event-stream; charset=utf-8", "/messages", false),
    BEDROCK("application/vnd.amazon.eventstream", "/converse-stream", true);

    /** Fake AWS credentials for bedrock routes, passed as Lambda passes the role's: in the environment. */
    static final Map<String, String> AWS_ENV = Map.of("AWS_ACCESS_KEY_ID", "AKIDBENCHEXAMPLE",
            "AWS_SECRET_ACCESS_KEY", "bench/secret/not-a-secret-EXAMPLEKEY", "AWS_SESSION_TOKEN", "bench-session-token",
            "AWS_REGION", "us-east-1");

    private final String contentType;
    private final String pathSuffix;
    private final boolean binary;

    UpstreamWire(String contentType, String pathSuffix, boolean binary) {
        this.contentType = contentType;
        this.pathSuffix = pathSuffix;
        this.binary = binary;
    }

    static UpstreamWire parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--upstream is openai, anthropic or bedrock, not '" + name + "'");
        }
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    String contentType() {
        return contentType;
    }

    /** Event-stream frames rather than SSE events. */
    boolean binary() {
        return binary;
    }

    /** Whether a request line asks for this wire's streaming endpoint. */
    boolean serves(String requestLine) {
        int space = requestLine.indexOf(' ', 5);
        String path = space < 0 ? requestLine : requestLine.substring(0, space);
        return requestLine.startsWith("POST ") && path.endsWith(pathSuffix);
    }

    /** The relay's route to an upstream on 127.0.0.1:{@code port} (the caller asks for {@code bench-model}). */
    String route(int port) {
        String base = "http://127.0.0.1:" + port;
        return switch (this) {
            case OPENAI -> "{\"name\":\"bench\",\"baseUrl\":\"" + base + "/v1\",\"apiKey\":\"env:BENCH_UPSTREAM_KEY\","
                    + "\"models\":[\"bench-model\"],\"default\":true}";
            case ANTHROPIC -> "{\"name\":\"bench\",\"type\":\"anthropic\",\"baseUrl\":\"" + base + "/v1\","
                    + "\"apiKey\":\"env:BENCH_UPSTREAM_KEY\",\"models\":[\"bench-model\"],\"default\":true}";
            case BEDROCK -> "{\"name\":\"bench\",\"type\":\"bedrock\",\"region\":\"us-east-1\",\"baseUrl\":\"" + base
                    + "\",\"models\":[\"bench-model\"],\"default\":true}";
        };
    }

    /** The request a client sends the upstream directly, in the provider's own terms. */
    String directPath() {
        return switch (this) {
            case OPENAI -> "/v1/chat/completions";
            case ANTHROPIC -> "/v1/messages";
            case BEDROCK -> "/model/bench-model/converse-stream";
        };
    }

    /** @param content the user message, which carries the request's tag (see ScheduledUpstream) */
    String directBody(String content, String tag) {
        return switch (this) {
            case OPENAI -> "{\"model\":\"bench-model\",\"stream\":true,\"user\":\"" + tag
                    + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
            case ANTHROPIC -> "{\"model\":\"bench-model\",\"max_tokens\":1024,\"stream\":true,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"" + content + "\"}]}]}";
            case BEDROCK -> "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"" + content + "\"}]}]}";
        };
    }

    /** The events of step {@code i} of a stream of {@code n} chunks, in the order they are written. */
    List<byte[]> step(int i, int n) {
        return switch (this) {
            case OPENAI -> List.of(i < n ? Chunks.event(i, n) : Chunks.DONE);
            case ANTHROPIC -> anthropic(i, n);
            case BEDROCK -> bedrock(i, n);
        };
    }

    /**
     * message_start; content_block_start and the first text_delta; a text_delta per word;
     * content_block_stop and message_delta (end_turn); message_stop.
     */
    private static List<byte[]> anthropic(int i, int n) {
        if (i == 0) {
            return List.of(sse("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\","
                    + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"bench-model\","
                    + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}"));
        }
        if (i == n) {
            return List.of(sse("message_stop", "{\"type\":\"message_stop\"}"));
        }
        if (i == n - 1) {
            return List.of(sse("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                    sse("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
                            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + n + "}}"));
        }
        byte[] delta = sse("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
                + "{\"type\":\"text_delta\",\"text\":\"" + Chunks.word(i) + "\"}}");
        return i > 1 ? List.of(delta) : List.of(sse("content_block_start", "{\"type\":\"content_block_start\","
                + "\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"), delta);
    }

    /** messageStart; a text contentBlockDelta per word; contentBlockStop and messageStop (end_turn); metadata. */
    private static List<byte[]> bedrock(int i, int n) {
        if (i == 0) {
            return List.of(EventStreamFrames.event("messageStart", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL\","
                    + "\"role\":\"assistant\"}"));
        }
        if (i == n) {
            return List.of(EventStreamFrames.event("metadata", "{\"metrics\":{\"latencyMs\":" + 20 * n + "},\"p\":\"abc\","
                    + "\"usage\":{\"inputTokens\":12,\"outputTokens\":" + n + ",\"totalTokens\":" + (12 + n) + "}}"));
        }
        if (i == n - 1) {
            return List.of(EventStreamFrames.event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"abcdefghijklm\"}"),
                    EventStreamFrames.event("messageStop", "{\"p\":\"abcdefghijkl\",\"stopReason\":\"end_turn\"}"));
        }
        return List.of(EventStreamFrames.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\""
                + Chunks.word(i) + "\"},\"p\":\"abcdefghijk\"}"));
    }

    private static byte[] sse(String type, String json) {
        return ("event: " + type + "\ndata: " + json + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}

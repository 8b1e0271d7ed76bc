package io.llmrelay.bench.jmh;

import io.llmrelay.bench.EventStreamFrames;
import io.llmrelay.upstream.anthropic.AnthropicStreamTranslator;
import io.llmrelay.upstream.bedrock.BedrockStreamTranslator;
import io.llmrelay.upstream.bedrock.EventStreamMessage;
import io.llmrelay.upstream.bedrock.EventStreamReader;
import io.llmrelay.upstream.bedrock.InvalidFrameException;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import io.llmrelay.upstream.translation.ChatChunks;
import io.llmrelay.upstream.translation.ChunkSink;
import io.llmrelay.upstream.translation.OpenAiChunkStream;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Provider streams translated to OpenAI chunks, per event, next to {@link SseRelayBenchmark}'s
 * OpenAI pass-through: Anthropic SSE ({@code SseReader} + {@code AnthropicStreamTranslator}) and
 * Bedrock event-stream frames ({@code EventStreamReader}, both CRCs checked, +
 * {@code BedrockStreamTranslator}), each event decoded, translated and written as chunk JSON. One
 * operation = one event; {@code -prof gc} gives bytes per event.
 *
 * <p>{@code text}: a one-token text delta per event; {@code toolArgs}: a ~1 KB tool-input fragment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ProviderTranslationBenchmark {
    static final int EVENTS = 1000;

    @Param({"text", "toolArgs"})
    public String kind;

    private byte[] anthropic;
    private byte[] bedrock;
    private SseReader sse;
    private EventStreamReader frames;
    private AnthropicStreamTranslator anthropicTranslator;
    private BedrockStreamTranslator bedrockTranslator;
    /** What the chunks came to, consumed once per invocation so that no chunk can be optimised away. */
    private long chunkBytes;

    @Setup(Level.Trial)
    public void buildStreams() {
        boolean text = kind.equals("text");
        String fragment = text ? " relay" : "voice avatar latency budget ".repeat(36);
        String quoted = "\"" + fragment + "\"";
        StringBuilder sseText = new StringBuilder(event("message_start",
                "{\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":10,\"output_tokens\":1}}}"));
        sseText.append(event("content_block_start", text
                ? "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"
                : "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"search\",\"input\":{}}}"));
        ByteArrayOutputStream frameBytes = new ByteArrayOutputStream();
        frameBytes.writeBytes(frame("messageStart", "{\"p\":\"abcdefgh\",\"role\":\"assistant\"}"));
        if (!text) {
            frameBytes.writeBytes(frame("contentBlockStart",
                    "{\"contentBlockIndex\":0,\"start\":{\"toolUse\":{\"toolUseId\":\"t1\",\"name\":\"search\"}},\"p\":\"abc\"}"));
        }
        for (int i = 0; i < EVENTS; i++) {
            sseText.append(event("content_block_delta", text
                    ? "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":" + quoted + "}}"
                    : "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + quoted + "}}"));
            frameBytes.writeBytes(frame("contentBlockDelta", text
                    ? "{\"contentBlockIndex\":0,\"delta\":{\"text\":" + quoted + "},\"p\":\"abcdefghij\"}"
                    : "{\"contentBlockIndex\":0,\"delta\":{\"toolUse\":{\"input\":" + quoted + "}},\"p\":\"abcdefghij\"}"));
        }
        anthropic = sseText.toString().getBytes(StandardCharsets.UTF_8);
        bedrock = frameBytes.toByteArray();
    }

    @Setup(Level.Invocation)
    public void rewind() {
        ChunkSink consume = json -> chunkBytes += json.length + json[json.length / 2];
        sse = new SseReader(new ByteArrayInputStream(anthropic));
        frames = new EventStreamReader(new ByteArrayInputStream(bedrock));
        anthropicTranslator = new AnthropicStreamTranslator(new OpenAiChunkStream("Anthropic",
                new ChatChunks("chatcmpl-bench", 1_700_000_000L, "bench-model", false), false, TranslationNotes.NONE,
                consume), "bench", TranslationNotes.NONE);
        bedrockTranslator = new BedrockStreamTranslator(new OpenAiChunkStream("Bedrock",
                new ChatChunks("chatcmpl-bench", 1_700_000_000L, "bench-model", false), false, TranslationNotes.NONE,
                consume), "bench", TranslationNotes.NONE);
    }

    /** Anthropic SSE event in, OpenAI chunk JSON out. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void anthropic(Blackhole bh) throws IOException, StreamFailure {
        for (SseEvent event = sse.next(); event != null; event = sse.next()) {
            anthropicTranslator.onEvent(event.data());
        }
        bh.consume(chunkBytes);
    }

    /** Bedrock event-stream frame in (CRCs checked), OpenAI chunk JSON out. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void bedrock(Blackhole bh) throws IOException, StreamFailure, InvalidFrameException {
        for (EventStreamMessage message = frames.next(); message != null; message = frames.next()) {
            bedrockTranslator.onMessage(message);
        }
        bh.consume(chunkBytes);
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    /** An event-stream frame (prelude, three string headers, payload, CRCs), as Bedrock sends it. */
    private static byte[] frame(String eventType, String json) {
        return EventStreamFrames.event(eventType, json);
    }
}

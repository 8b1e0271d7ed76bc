package io.llmrelay.bench.scrub;

import io.llmrelay.bench.jmh.BenchChunks;
import io.llmrelay.secrets.ScrubTimeoutException;
import io.llmrelay.secrets.SecretScrubber;
import io.llmrelay.upstream.openai.ChunkDecoder;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * What scrubbing every event costs the relay's per-event work: {@code relay} is
 * {@code SseReader.next()}, {@code ChunkDecoder.decode} and {@code ChatSse.frame} as before (no scrub of a successful
 * chunk), {@code relayScrubbed} adds {@code SecretScrubber.scrub(bytes, deadline)} of the encoded
 * event as the relay's chat SSE writer does for every event, {@code scrubOnly} is that scrub alone. One
 * operation = one event; {@code -prof gc} gives bytes per event. The key is not in the chunks
 * (the common case).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class ScrubEventBenchmark {
    static final int EVENTS = 1000;
    /** A key the shape of OpenAI's project keys. */
    static final String KEY = "sk-proj-Q7vN2kX9pLm4TzR8aWc3YhE6uJb1GdF5sK0oViBnMxCe";
    /** A token chunk whose content needs escapes (newline, quote) and holds non-ASCII text. */
    static final String ESCAPES = "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"bench-model\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"content\":\"\\n\\n\\\"Café\\\" 東京\"},\"logprobs\":null,\"finish_reason\":null}]}";

    /** small: a ~230 B token chunk (ASCII, no backslash); large: a ~1.3 KB tool-call chunk (escaped quotes); escapes: a token with \n, \" and non-ASCII. */
    @Param({"small", "large", "escapes"})
    public String chunk;

    private byte[] stream;
    private byte[] encodedEvent;
    private ChunkDecoder decoder;
    private SecretScrubber scrubber;
    private BooleanSupplier deadline;

    @Setup(Level.Trial)
    public void buildStream() {
        String data = switch (chunk) {
            case "small" -> BenchChunks.SMALL;
            case "large" -> BenchChunks.LARGE;
            case "escapes" -> ESCAPES;
            default -> throw new IllegalArgumentException(chunk);
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] event = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < EVENTS; i++) {
            out.writeBytes(event);
        }
        stream = out.toByteArray();
        decoder = ChunkDecoder.forRequest("0b4e7c1a-bench", 1_700_000_000L, "bench-model");
        encodedEvent = BenchChunks.relayed(decoder, data);
        scrubber = SecretScrubber.of(List.of(KEY));
        long stopAt = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
        deadline = () -> System.nanoTime() - stopAt >= 0; // as Deadline.passed: never asked below 1 MiB
    }

    /** The upstream body read afresh for each invocation (kept apart so that scrubOnly's B/op is its own). */
    @State(Scope.Thread)
    public static class Upstream {
        SseReader reader;

        @Setup(Level.Invocation)
        public void rewind(ScrubEventBenchmark bench) {
            reader = new SseReader(new ByteArrayInputStream(bench.stream));
        }
    }

    /** Before: parse and encode each event. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void relay(Upstream upstream, Blackhole bh) throws IOException {
        for (SseEvent event = upstream.reader.next(); event != null; event = upstream.reader.next()) {
            bh.consume(BenchChunks.relayed(decoder, event.data()));
        }
    }

    /** After: parse, encode and scrub each event. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void relayScrubbed(Upstream upstream, Blackhole bh) throws IOException, ScrubTimeoutException {
        for (SseEvent event = upstream.reader.next(); event != null; event = upstream.reader.next()) {
            bh.consume(scrubber.scrub(BenchChunks.relayed(decoder, event.data()), deadline));
        }
    }

    /** The scrub of one encoded event, alone. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void scrubOnly(Blackhole bh) throws ScrubTimeoutException {
        for (int i = 0; i < EVENTS; i++) {
            bh.consume(scrubber.scrub(encodedEvent, deadline));
        }
    }
}

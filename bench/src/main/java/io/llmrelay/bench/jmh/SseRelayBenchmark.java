package io.llmrelay.bench.jmh;

import io.llmrelay.upstream.openai.ChunkDecoder;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * The relay's per-event hot path for an OpenAI-compatible upstream, as it runs for every event:
 * {@code SseReader.next()} over the upstream body, {@code ChunkDecoder.decode(data)} (the
 * OpenAI adapter's check, and completion of chunks without ids), then {@code ChatSse.frame} to the
 * bytes written to the caller ({@link BenchChunks#relayed}). One operation = one event; {@code -prof gc} reports
 * {@code gc.alloc.rate.norm} in bytes per event.
 *
 * <p>The stream holds {@value #EVENTS} events of one kind, read in the 8 KiB blocks SseReader asks
 * for (an upstream socket delivers at most one event per read when tokens are 20 ms apart, so
 * this is the best case for block reads; the per-event parse and encode cost is the same).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class SseRelayBenchmark {
    static final int EVENTS = 1000;

    /** small: a one-token content chunk; large: a ~1.3 KB tool-call chunk; noIds: a token chunk the encoder must complete. */
    @Param({"small", "large", "noIds"})
    public String chunk;

    private byte[] stream;
    private InputStream in;
    private SseReader reader;
    private ChunkDecoder decoder;

    @Setup(Level.Trial)
    public void buildStream() {
        String data = switch (chunk) {
            case "small" -> BenchChunks.SMALL;
            case "large" -> BenchChunks.LARGE;
            case "noIds" -> BenchChunks.NO_IDS;
            default -> throw new IllegalArgumentException(chunk);
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] event = ("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < EVENTS; i++) {
            out.writeBytes(event);
        }
        stream = out.toByteArray();
        decoder = ChunkDecoder.forRequest("0b4e7c1a-bench", 1_700_000_000L, "bench-model");
    }

    @Setup(Level.Invocation)
    public void rewind() {
        in = new ByteArrayInputStream(stream);
        reader = new SseReader(in);
    }

    /** Parse and re-encode every event of the stream: ns/op and B/op are per event. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void parseAndEncode(Blackhole bh) throws IOException {
        for (SseEvent event = reader.next(); event != null; event = reader.next()) {
            bh.consume(BenchChunks.relayed(decoder, event.data()));
        }
    }

    /** SseReader alone, to split the cost. */
    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void parseOnly(Blackhole bh) throws IOException {
        for (SseEvent event = reader.next(); event != null; event = reader.next()) {
            bh.consume(event.data());
        }
    }
}

package io.llmrelay.bench.scrub;

import io.llmrelay.secrets.ScrubTimeoutException;
import io.llmrelay.secrets.SecretScrubber;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The slope of scrubbing over input size, 1 KB to 8 MB (the relay's largest event; whole bodies
 * go to 32 MB): time per operation should grow with the size and no faster. Inputs hold no key.
 * <ul>
 *   <li>{@code keyScanAscii}: JSON text without backslashes or non-ASCII (the allocation-free path);
 *   <li>{@code keyScanEscaped}: JSON text with escapes and non-ASCII every few bytes (decoded on the fly);
 *   <li>{@code maskedScan}: an upstream error text that is one run of key characters without stars,
 *       the input that made the old masked-key expression quadratic ({@link OldMaskedRegexBenchmark}).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ScrubScaleBenchmark {
    @Param({"1024", "16384", "131072", "1048576", "8388608"})
    public int size;

    private byte[] ascii;
    private byte[] escaped;
    private String keyChars;
    private SecretScrubber scrubber;

    @Setup(Level.Trial)
    public void build() {
        ascii = repeat("{\"content\":\" the relay streams tokens to the caller as they come\"},", size);
        escaped = repeat("{\"content\":\"line\\n\\\"Café\\\" \\u00e9 東京\\t\"},", size);
        keyChars = "a".repeat(size);
        scrubber = SecretScrubber.of(List.of(ScrubEventBenchmark.KEY));
    }

    private static byte[] repeat(String unit, int size) {
        byte[] one = unit.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[size];
        for (int i = 0; i < size; i++) {
            out[i] = one[i % one.length];
        }
        return out;
    }

    @Benchmark
    public byte[] keyScanAscii() throws ScrubTimeoutException {
        return scrubber.scrub(ascii, () -> false);
    }

    @Benchmark
    public byte[] keyScanEscaped() throws ScrubTimeoutException {
        return scrubber.scrub(escaped, () -> false);
    }

    @Benchmark
    public String maskedScan() throws ScrubTimeoutException {
        return scrubber.scrubUpstreamError(keyChars, () -> false);
    }
}

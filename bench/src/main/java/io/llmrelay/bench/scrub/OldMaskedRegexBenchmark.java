package io.llmrelay.bench.scrub;

import io.llmrelay.secrets.SecretScrubber;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
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
 * The masked-key expression the relay used before (relay/UpstreamKeyScrubber) against its linear
 * replacement, on the input that made it quadratic: a run of key characters with no stars. Only
 * up to 16 KB: each doubling quadruples the old one's time (16 KB was 1.2 s in the issue); the
 * new one's slope over 1 KB to 8 MB is {@link ScrubScaleBenchmark#maskedScan}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class OldMaskedRegexBenchmark {
    private static final Pattern OLD = Pattern.compile("[A-Za-z0-9_\\-]*\\*{3,}[A-Za-z0-9_\\-]*");

    @Param({"1024", "4096", "16384"})
    public int size;

    private String keyChars;

    @Setup(Level.Trial)
    public void build() {
        keyChars = "a".repeat(size);
    }

    @Benchmark
    public String oldRegex() {
        return OLD.matcher(keyChars).replaceAll("[redacted]");
    }

    @Benchmark
    public String newScan() {
        return SecretScrubber.NONE.scrubUpstreamError(keyChars);
    }
}

package io.llmrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The relay at the heap and CPU share Lambda gives each memory size. Per size, fresh {@code serve}
 * processes (one execution environment; interleaved with the other sizes) with the managed
 * runtime's flags and its heap formula, {@code -XX:MaxHeapSize} = 85% of the memory size in KiB
 * (512 MB: 445645k, as on Lambda's java command line quoted in src/lambda/relay-wrapper; the 85% rule
 * as worked out from Lambda's command lines at 256 and 384 MB in
 * https://stackoverflow.com/questions/35298616/aws-lambda-and-inaccurate-memory-allocation/40469970),
 * inside a cgroup whose CPU quota is memory / 1,769 MB of one CPU ({@link CpuShare}). An HTTPS (HTTP/2)
 * upstream on 127.0.0.1 ({@link TlsUpstream}). Per process: spawn to listening, the first request's
 * time to first byte (TLS handshake included), then steady time to first byte and the per-chunk
 * one-way delay (upstream write to client read), and the peak RSS ({@code VmHWM}).
 *
 * <p>{@code serve} holds what Lambda keeps outside the function (its frontend, Jetty, and the Runtime
 * API) in the same process and under the same quota, so RSS and CPU here are upper bounds of the
 * function's own.
 */
final class MemoryBench {
    private final Args args;
    private final AtomicLong tags = new AtomicLong();

    MemoryBench(Args args) {
        this.args = args;
    }

    private record Process(int sizeMb, int process, double listeningMs, double firstTtfbMs, List<Double> ttfbs,
            List<Double> chunkDelays, long peakRssKb, String throttled, String error) {}

    /** Lambda's {@code -XX:MaxHeapSize} for a memory size: 85% of it, in KiB, rounded up (512 MB: 445645k). */
    static long heapKb(int memoryMb) {
        return (long) Math.ceil(memoryMb * 1024 * 0.85);
    }

    int run() throws Exception {
        Path jar = Path.of(args.get("jar", "target/llm-relay.jar"));
        String java = args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int[] sizes = args.integers("sizes", "256,512,1024,1769");
        int processes = args.integer("processes", 3);
        int requests = args.integer("requests", 20);
        int chunks = args.integer("chunks", 20);
        double intervalMs = args.number("interval-ms", 20);
        long periodMicros = args.integer("period-us", 100_000);
        TlsUpstream.Mode mode = TlsUpstream.Mode.parse(args.get("upstream-tls", "h2"));
        Path out = Path.of(args.get("out", "bench/results/memory.json"));
        args.requireAllKnown();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path javaHome = Path.of(java).toAbsolutePath().getParent().getParent();
        StreamCheck check = new StreamCheck(UpstreamWire.OPENAI, chunks);
        Map<Integer, CpuShare> shares = new LinkedHashMap<>();
        List<Process> results = new ArrayList<>();
        Path config = Files.createTempFile("llm-relay-memory-config", ".json");
        try (BenchTrust trust = BenchTrust.create(javaHome);
                TlsUpstream upstream = new TlsUpstream(mode, trust, chunks, intervalMs, 0)) {
            Files.writeString(config, """
                    {"callers":[{"name":"bench","keySha256":"%s"}],
                     "routes":[{"name":"bench","baseUrl":"%s","apiKey":"env:BENCH_UPSTREAM_KEY",
                                "models":["bench-model"],"default":true}]}
                    """.formatted(LatencyBench.sha256Hex(LatencyBench.CALLER_KEY), upstream.baseUrl()));
            for (int size : sizes) {
                CpuShare share = CpuShare.create("llm-relay-bench-" + size + "mb", Math.min(1.0, size / 1769.0),
                        periodMicros, java);
                shares.put(size, share);
                System.out.printf(Locale.ROOT, "%d MB: -XX:MaxHeapSize=%dk, CPU %.1f%% of one: %s%n", size, heapKb(size),
                        100 * Math.min(1.0, size / 1769.0), share == null ? "NOT APPLIED (no writable cgroup)" : share.mechanism());
            }
            for (int p = 0; p < processes; p++) {
                for (int k = 0; k < sizes.length; k++) {
                    int size = sizes[Math.floorMod(k + p, sizes.length)];
                    Process r = once(size, p, shares.get(size), java, jar, config, trust, upstream, check, requests, chunks,
                            out.resolveSibling("serve-memory-" + size + ".log"));
                    results.add(r);
                    System.out.printf(Locale.ROOT, "%d MB process %d: listening %.0f ms, first byte %.1f ms, then %.2f ms; "
                                    + "chunk delay p50 %.2f ms; peak RSS %d MB%s%n", size, p + 1, r.listeningMs(),
                            r.firstTtfbMs(), Stats.median(r.ttfbs()), Stats.median(r.chunkDelays()), r.peakRssKb() / 1024,
                            r.error() == null ? "" : " FAILED: " + r.error());
                }
            }
        } finally {
            for (CpuShare s : shares.values()) {
                if (s != null) {
                    s.close();
                }
            }
            Files.deleteIfExists(config);
        }
        Map<String, Object> report = report(results, sizes, shares, processes, requests, chunks, intervalMs, periodMicros,
                mode);
        Files.writeString(out, JsonWriter.write(report));
        System.out.println("figures written to " + out);
        return results.stream().allMatch(r -> r.error() == null) ? 0 : 1;
    }

    private Process once(int size, int p, CpuShare share, String java, Path jar, Path config, BenchTrust trust,
            TlsUpstream upstream, StreamCheck check, int requests, int n, Path log) throws Exception {
        // Lambda's heap flag for the size, then its JIT and GC flags (on-demand: the wrapper adds none).
        List<String> flags = new ArrayList<>(List.of("-XX:MaxHeapSize=" + heapKb(size) + "k"));
        flags.addAll(LatencyBench.MANAGED_RUNTIME_FLAGS);
        flags.addAll(trust.relayJvmOptions());
        long spawn = System.nanoTime();
        List<Double> ttfbs = new ArrayList<>();
        List<Double> delays = new ArrayList<>();
        double first = Double.NaN;
        String error = null;
        long peak = 0;
        double listening;
        try (ServeProcess serve = ServeProcess.start(share == null ? java : share.launcher(), flags, jar, config, 1, log);
                StreamClient client = new StreamClient("127.0.0.1", serve.port())) {
            listening = Stats.ms(System.nanoTime() - spawn);
            for (int i = 0; i < requests && error == null; i++) {
                String tag = "bench-" + tags.incrementAndGet();
                try {
                    StreamClient.Result r = client.post("/v1/chat/completions",
                            UpstreamWire.OPENAI.directBody("Say something.", tag), "Bearer " + LatencyBench.CALLER_KEY);
                    AtomicLongArray sent = upstream.sentTimes(tag);
                    upstream.forget(tag);
                    error = r.status() != 200 ? "status " + r.status() : sent == null ? "upstream never saw it"
                            : check.error(r.events(), false);
                    if (error != null) {
                        break;
                    }
                    double ttfb = Stats.ms(r.firstByteNanos() - r.startNanos());
                    if (i == 0) {
                        first = ttfb;
                        continue;
                    }
                    ttfbs.add(ttfb);
                    long[] arrived = check.stepNanos(r, false);
                    for (int c = 1; c < n - 1; c++) { // the word chunks: each travels on its own
                        delays.add(Stats.ms(arrived[c] - sent.get(c)));
                    }
                } catch (IOException | RuntimeException e) {
                    upstream.forget(tag);
                    error = String.valueOf(e);
                }
            }
            peak = peakRssKb(serve.pid());
        }
        return new Process(size, p, listening, first, ttfbs, delays, peak, share == null ? "" : share.throttled(), error);
    }

    /** VmHWM of /proc/PID/status: the process's peak resident set, in KiB. */
    private static long peakRssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    private static Map<String, Object> report(List<Process> results, int[] sizes, Map<Integer, CpuShare> shares,
            int processes, int requests, int chunks, double intervalMs, long periodMicros, TlsUpstream.Mode mode) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("date", Instant.now().toString());
        setup.put("processesPerSize", processes);
        setup.put("requestsPerProcess", requests);
        setup.put("chunks", chunks);
        setup.put("intervalMs", intervalMs);
        setup.put("upstream", "TLS " + mode.label() + " on 127.0.0.1");
        setup.put("cpuPeriodMicros", periodMicros);
        setup.put("cpus", Runtime.getRuntime().availableProcessors());
        setup.put("method", "Per memory size: serve with -XX:MaxHeapSize = 85% of the size (KiB), -XX:+UseSerialGC, "
                + "C1 only, in a cgroup with a CPU quota of size/1769 of one CPU. first: request 1 (TLS handshake "
                + "included); steady: requests 2..n; chunk delay: upstream write to client read of every word chunk "
                + "of requests 2..n (p50 and p99 over all processes); peak RSS: VmHWM; medians over processes.");
        root.put("setup", setup);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%n%6s %9s %10s %10s %11s %11s %11s %11s %9s%n",
                "MB", "heap", "CPU share", "listening", "first byte", "steady p50", "chunk p50", "chunk p99", "peak RSS"));
        Map<String, Object> bySize = new LinkedHashMap<>();
        for (int size : sizes) {
            List<Process> mine = results.stream().filter(r -> r.sizeMb() == size && r.error() == null).toList();
            List<Double> allDelays = mine.stream().flatMap(r -> r.chunkDelays().stream()).toList();
            double listening = Stats.median(mine.stream().map(Process::listeningMs).toList());
            double first = Stats.median(mine.stream().map(Process::firstTtfbMs).toList());
            double steady = Stats.median(mine.stream().map(r -> Stats.median(r.ttfbs())).toList());
            double chunkP50 = Stats.percentile(Stats.sorted(allDelays), 50);
            double chunkP99 = Stats.percentile(Stats.sorted(allDelays), 99);
            double rss = Stats.median(mine.stream().map(r -> r.peakRssKb() / 1024.0).toList());
            CpuShare share = shares.get(size);
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("maxHeapSize", heapKb(size) + "k");
            v.put("cpuShare", Math.min(1.0, size / 1769.0));
            v.put("cpuLimit", share == null ? "not applied" : share.mechanism());
            v.put("listeningMedianMs", listening);
            v.put("firstTtfbMedianMs", first);
            v.put("steadyTtfbMedianMs", steady);
            v.put("chunkDelayP50Ms", chunkP50);
            v.put("chunkDelayP99Ms", chunkP99);
            v.put("peakRssMedianMb", rss);
            v.put("firstTtfbMs", mine.stream().map(Process::firstTtfbMs).toList());
            v.put("peakRssMb", mine.stream().map(r -> r.peakRssKb() / 1024).toList());
            v.put("throttled", mine.stream().map(Process::throttled).toList());
            v.put("failed", results.stream().filter(r -> r.sizeMb() == size && r.error() != null).count());
            bySize.put(Integer.toString(size), v);
            table.append(String.format(Locale.ROOT, "%6d %8dk %9.1f%% %10.0f %11.1f %11.2f %11.2f %11.2f %8.0fM%n", size,
                    heapKb(size), 100 * Math.min(1.0, size / 1769.0), listening, first, steady, chunkP50, chunkP99, rss));
        }
        System.out.print(table);
        root.put("sizes", bySize);
        root.put("table", table.toString());
        root.put("errors", results.stream().filter(r -> r.error() != null).map(Process::error).limit(3).toList());
        return root;
    }
}

package io.llmrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The relay over a TLS upstream, fresh JVM by fresh JVM: for each upstream mode (plain HTTP/1.1,
 * HTTP/1.1 over TLS, HTTP/2 over TLS; {@link TlsUpstream}) a new {@code serve} process (managed
 * runtime flags, one execution environment, the bench's trust store on its command line), then
 * {@code --requests} requests one after another from a socket client, each its own invocation of
 * that one environment. Per request: time to first byte at the client, the time until the
 * upstream had the request (for the first request this holds the TCP connect and TLS handshake),
 * and the per-chunk one-way delay (upstream socket write to client read). Per process: how many
 * connections the upstream accepted (1 = the pool survived every invocation). Modes are
 * interleaved process by process, their order rotated, so drift on a shared machine hits all alike.
 */
final class TlsBench {
    private final Args args;
    private final AtomicLong tags = new AtomicLong();

    TlsBench(Args args) {
        this.args = args;
    }

    private record Sample(TlsUpstream.Mode mode, int process, int index, double ttfbMs, double toUpstreamMs,
            double chunkDelayP50Ms, double[] chunkDelaysMs, String error) {}

    private record Process(TlsUpstream.Mode mode, int process, int connections, int requests) {}

    int run() throws Exception {
        Path jar = Path.of(args.get("jar", "target/llm-relay.jar"));
        String java = args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<TlsUpstream.Mode> modes = Arrays.stream(args.get("modes", "plain,h1,h2").split(","))
                .map(TlsUpstream.Mode::parse).toList();
        int processes = args.integer("processes", 5);
        int requests = args.integer("requests", 30);
        int chunks = args.integer("chunks", 10);
        double intervalMs = args.number("interval-ms", 10);
        double idleMs = args.number("idle-ms", 0);
        List<String> flags = LatencyBench.serveFlags(args);
        Path out = Path.of(args.get("out", "bench/results/tls.json"));
        args.requireAllKnown();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " does not exist: build it with `mvn -B -q package -DskipTests`");
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path javaHome = Path.of(java).toAbsolutePath().getParent().getParent();
        System.out.printf(Locale.ROOT, "tls: %s, %d fresh serve processes each, %d requests per process (%.0f ms apart), "
                + "%d chunks %.1f ms apart, serve %s%n", modes, processes, requests, idleMs, chunks, intervalMs, flags);
        StreamCheck check = new StreamCheck(UpstreamWire.OPENAI, chunks);
        List<Sample> samples = new ArrayList<>();
        List<Process> procs = new ArrayList<>();
        Map<TlsUpstream.Mode, TlsUpstream> upstreams = new LinkedHashMap<>();
        Path config = Files.createTempFile("llm-relay-tls-config", ".json");
        try (BenchTrust trust = BenchTrust.create(javaHome)) {
            for (TlsUpstream.Mode m : modes) {
                upstreams.put(m, new TlsUpstream(m, trust, chunks, intervalMs, 0));
            }
            List<String> serveFlags = new ArrayList<>(flags);
            serveFlags.addAll(trust.relayJvmOptions());
            // One discarded process per mode warms the bench's side (Jetty's code, the page cache).
            for (int p = -1; p < processes; p++) {
                for (int k = 0; k < modes.size(); k++) {
                    TlsUpstream upstream = upstreams.get(modes.get(Math.floorMod(k + p, modes.size())));
                    Files.writeString(config, """
                            {"callers":[{"name":"bench","keySha256":"%s"}],
                             "routes":[{"name":"bench","baseUrl":"%s","apiKey":"env:BENCH_UPSTREAM_KEY",
                                        "models":["bench-model"],"default":true}]}
                            """.formatted(LatencyBench.sha256Hex(LatencyBench.CALLER_KEY), upstream.baseUrl()));
                    Path log = out.resolveSibling("serve-tls-" + upstream.mode().label() + ".log");
                    int connectionsBefore = upstream.connections();
                    int requestsBefore = upstream.requests();
                    List<Sample> mine = new ArrayList<>();
                    try (ServeProcess serve = ServeProcess.start(java, serveFlags, jar, config, 1, log);
                            StreamClient client = new StreamClient("127.0.0.1", serve.port())) {
                        for (int i = 0; i < requests; i++) {
                            mine.add(one(client, upstream, check, p, i, chunks));
                            if (idleMs > 0) {
                                Thread.sleep((long) idleMs);
                            }
                        }
                    }
                    Process proc = new Process(upstream.mode(), p, upstream.connections() - connectionsBefore,
                            upstream.requests() - requestsBefore);
                    long failed = mine.stream().filter(s -> s.error() != null).count();
                    System.out.printf(Locale.ROOT, "%s process %s: first byte %.1f ms (upstream had the request at %.1f ms), "
                                    + "then median %.2f ms; %d connection(s) for %d requests%s%n", upstream.mode().label(),
                            p < 0 ? "warm-up (discarded)" : Integer.toString(p + 1), mine.getFirst().ttfbMs(), mine.getFirst().toUpstreamMs(),
                            Stats.median(mine.subList(1, mine.size()).stream().map(Sample::ttfbMs).toList()),
                            proc.connections(), proc.requests(), failed == 0 ? "" : ", " + failed + " FAILED: "
                                    + mine.stream().filter(s -> s.error() != null).findFirst().orElseThrow().error());
                    if (p >= 0) {
                        samples.addAll(mine);
                        procs.add(proc);
                    }
                }
            }
        } finally {
            for (TlsUpstream u : upstreams.values()) {
                u.close();
            }
            Files.deleteIfExists(config);
        }
        Map<String, Object> report = report(samples, procs, modes, processes, requests, chunks, intervalMs, idleMs,
                java, flags);
        Files.writeString(out, JsonWriter.write(report));
        System.out.println("figures written to " + out);
        return samples.stream().allMatch(s -> s.error() == null) ? 0 : 1;
    }

    private Sample one(StreamClient client, TlsUpstream upstream, StreamCheck check, int process, int index, int n) {
        String tag = "bench-" + tags.incrementAndGet();
        try {
            StreamClient.Result r = client.post("/v1/chat/completions",
                    UpstreamWire.OPENAI.directBody("Say something.", tag), "Bearer " + LatencyBench.CALLER_KEY);
            AtomicLongArray sent = upstream.sentTimes(tag);
            Long received = upstream.receivedAt(tag);
            upstream.forget(tag);
            String error = r.status() != 200 ? "status " + r.status() + ": " + r.events()
                    : sent == null ? "the upstream never saw the request" : check.error(r.events(), false);
            if (error != null) {
                return new Sample(upstream.mode(), process, index, Double.NaN, Double.NaN, Double.NaN, new double[0], error);
            }
            long[] arrived = check.stepNanos(r, false);
            double[] delays = new double[n + 1];
            for (int i = 0; i <= n; i++) {
                delays[i] = Stats.ms(arrived[i] - sent.get(i));
            }
            return new Sample(upstream.mode(), process, index, Stats.ms(r.firstByteNanos() - r.startNanos()),
                    Stats.ms(received - r.startNanos()), Stats.median(delays), delays, null);
        } catch (IOException | RuntimeException e) {
            upstream.forget(tag);
            return new Sample(upstream.mode(), process, index, Double.NaN, Double.NaN, Double.NaN, new double[0],
                    String.valueOf(e));
        }
    }

    private static Map<String, Object> report(List<Sample> samples, List<Process> procs, List<TlsUpstream.Mode> modes,
            int processes, int requests, int chunks, double intervalMs, double idleMs, String java, List<String> flags) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("date", Instant.now().toString());
        setup.put("java", java);
        setup.put("serveFlags", flags);
        setup.put("processes", processes);
        setup.put("requestsPerProcess", requests);
        setup.put("idleMsBetweenRequests", idleMs);
        setup.put("chunks", chunks);
        setup.put("intervalMs", intervalMs);
        setup.put("cpus", Runtime.getRuntime().availableProcessors());
        setup.put("method", "Per mode, fresh serve processes (one execution environment each), modes interleaved. "
                + "first: request 1 of each process (median over processes); early: requests 2-10; steady: the last "
                + "half of the requests (median over processes of each process's median; p99 over all of them). "
                + "toUpstream: client request start to the upstream having the whole request body (request 1: TCP "
                + "connect and TLS handshake included). chunkDelay: upstream socket write to client read, median "
                + "over a request's events. connections: accepted by the upstream per process (TLS: handshakes).");
        root.put("setup", setup);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%n%-6s %11s %11s %11s %11s %11s %11s %11s %12s%n", "mode", "first ttfb", "first toUp", "2-10 ttfb",
                "steady p50", "steady p99", "steady toUp", "chunk p50", "connections"));
        Map<String, Object> byMode = new LinkedHashMap<>();
        for (TlsUpstream.Mode m : modes) {
            List<Sample> ok = samples.stream().filter(s -> s.mode() == m && s.error() == null).toList();
            double firstTtfb = perProcess(ok, processes, 0, 1, Sample::ttfbMs);
            double firstToUp = perProcess(ok, processes, 0, 1, Sample::toUpstreamMs);
            double earlyTtfb = perProcess(ok, processes, 1, Math.min(10, requests), Sample::ttfbMs);
            double steadyTtfb = perProcess(ok, processes, requests / 2, requests, Sample::ttfbMs);
            double steadyToUp = perProcess(ok, processes, requests / 2, requests, Sample::toUpstreamMs);
            double steadyChunk = perProcess(ok, processes, requests / 2, requests, Sample::chunkDelayP50Ms);
            double steadyP99 = Stats.percentile(Stats.sorted(ok.stream().filter(s -> s.index() >= requests / 2)
                    .map(Sample::ttfbMs).toList()), 99);
            List<Integer> conns = procs.stream().filter(p -> p.mode() == m).map(Process::connections).toList();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("firstTtfbMedianMs", firstTtfb);
            v.put("firstToUpstreamMedianMs", firstToUp);
            v.put("requests2to10TtfbMedianMs", earlyTtfb);
            v.put("steadyTtfbMedianMs", steadyTtfb);
            v.put("steadyTtfbP99Ms", steadyP99);
            v.put("steadyToUpstreamMedianMs", steadyToUp);
            v.put("steadyChunkDelayMedianMs", steadyChunk);
            v.put("connectionsPerProcess", conns);
            v.put("firstTtfbMs", ok.stream().filter(s -> s.index() == 0).map(Sample::ttfbMs).toList());
            v.put("failed", samples.stream().filter(s -> s.mode() == m && s.error() != null).count());
            byMode.put(m.label(), v);
            table.append(String.format(Locale.ROOT, "%-6s %11.1f %11.1f %11.2f %11.2f %11.2f %11.2f %11.2f %12s%n",
                    m.label(), firstTtfb, firstToUp, earlyTtfb, steadyTtfb, steadyP99, steadyToUp, steadyChunk, conns));
        }
        System.out.print(table);
        root.put("modes", byMode);
        root.put("table", table.toString());
        root.put("errors", samples.stream().filter(s -> s.error() != null).map(Sample::error).limit(3).toList());
        return root;
    }

    /** Median over processes of each process's median of {@code metric} over requests [from, to). */
    private static double perProcess(List<Sample> ok, int processes, int from, int to,
            java.util.function.ToDoubleFunction<Sample> metric) {
        List<Double> medians = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            int process = p;
            List<Double> mine = ok.stream().filter(s -> s.process() == process && s.index() >= from && s.index() < to)
                    .map(s -> metric.applyAsDouble(s)).toList();
            if (!mine.isEmpty()) {
                medians.add(Stats.median(mine));
            }
        }
        return Stats.median(medians);
    }
}

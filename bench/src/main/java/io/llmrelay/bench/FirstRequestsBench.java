package io.llmrelay.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The first requests of a fresh execution environment: a new {@code serve} process (managed
 * runtime flags, one environment) per build and run, then {@code --requests} requests one at a
 * time, each paired with one to the upstream directly (the order alternating), grouped in batches
 * of {@code --batch}. Per batch: p50 of the relay's and the direct time to the first event, their
 * difference, and the relay's own share ({@code sum: ours} of the stage table). Builds take turns
 * within a run; figures are medians over {@code --runs} runs (each a fresh process).
 */
final class FirstRequestsBench {
    private final Args args;
    private final String loadAtStart = Stats.loadAverage();

    FirstRequestsBench(Args args) {
        this.args = args;
    }

    private record Pair(double relayMs, double directMs, Double oursMs) {}

    int run() throws Exception {
        List<LatencyBench.Build> builds = LatencyBench.Build.parse(args.get("jar", "target/llm-relay.jar"),
                args.get("serve-env", ""));
        String java = args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int requests = args.integer("requests", 100);
        int batch = args.integer("batch", 20);
        int runs = args.integer("runs", 3);
        int chunks = args.integer("chunks", 5);
        double intervalMs = args.number("interval-ms", 2);
        List<String> flags = LatencyBench.serveFlags(args);
        Path out = Path.of(args.get("out", "bench/results/firstrequests.json"));
        args.requireAllKnown();
        flags.add("-Dllmrelay.stages=true");
        Files.createDirectories(out.toAbsolutePath().getParent());
        System.out.printf(Locale.ROOT, "firstrequests: %d requests in batches of %d, %d runs (fresh serve each), "
                + "%d chunks %.1f ms apart, serve %s of %s%n", requests, batch, runs, chunks, intervalMs, flags, builds);

        // results[build][run][request]
        List<List<List<Pair>>> results = new ArrayList<>();
        builds.forEach(b -> results.add(new ArrayList<>()));
        StreamCheck check = new StreamCheck(UpstreamWire.OPENAI, chunks);
        Path config = Files.createTempFile("llm-relay-bench-config", ".json");
        long tags = 0;
        try (ScheduledUpstream upstream = new ScheduledUpstream(chunks, intervalMs, 0)) {
            Files.writeString(config, """
                    {"callers":[{"name":"bench","keySha256":"%s"}],
                     "routes":[%s]}
                    """.formatted(LatencyBench.sha256Hex(LatencyBench.CALLER_KEY), UpstreamWire.OPENAI.route(upstream.port())));
            for (int run = 0; run < runs; run++) {
                for (int k = 0; k < builds.size(); k++) {
                    int b = (k + run) % builds.size();
                    LatencyBench.Build build = builds.get(b);
                    Path log = out.resolveSibling("serve-first-" + build.label() + ".log");
                    List<Pair> pairs = new ArrayList<>();
                    try (ServeProcess serve = ServeProcess.start(java, flags, build.jar(), config, 1, log, build.env());
                            StreamClient relay = new StreamClient("127.0.0.1", serve.port());
                            StreamClient direct = new StreamClient("127.0.0.1", upstream.port())) {
                        for (int i = 0; i < requests; i++) {
                            String relayTag = "bench-" + (++tags);
                            String directTag = "bench-" + (++tags);
                            double[] d = new double[1];
                            Pair[] p = new Pair[1];
                            if (i % 2 == 0) {
                                d[0] = directOnce(direct, upstream, check, directTag);
                                p[0] = relayOnce(relay, upstream, serve, check, relayTag, d[0]);
                            } else {
                                p[0] = relayOnce(relay, upstream, serve, check, relayTag, Double.NaN);
                                d[0] = directOnce(direct, upstream, check, directTag);
                                p[0] = new Pair(p[0].relayMs(), d[0], p[0].oursMs());
                            }
                            pairs.add(p[0]);
                        }
                    }
                    results.get(b).add(pairs);
                    System.out.printf(Locale.ROOT, "run %d, %s: %d requests%n", run + 1, build.label(), pairs.size());
                }
            }
        } finally {
            Files.deleteIfExists(config);
        }

        StringBuilder table = new StringBuilder();
        Map<String, Object> report = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("date", Instant.now().toString());
        setup.put("builds", builds.stream().map(LatencyBench.Build::toString).toList());
        setup.put("serveFlags", flags);
        setup.put("requests", requests);
        setup.put("batch", batch);
        setup.put("runs", runs);
        setup.put("chunks", chunks);
        setup.put("intervalMs", intervalMs);
        setup.put("cpus", Runtime.getRuntime().availableProcessors());
        setup.put("loadAverageAtStart", loadAtStart);
        setup.put("loadAverageAtEnd", Stats.loadAverage());
        setup.put("method", "Per run and build: a fresh serve (one environment), then requests one at a time, each "
                + "paired with a direct one (order alternating). Per batch: p50 over its requests of the relay's time to "
                + "first event, the direct one, added = relay - direct (per pair), and ours = the stage table's sum of "
                + "the function's own spans; the table shows the median over runs.");
        report.put("setup", setup);
        Map<String, Object> perBuild = new LinkedHashMap<>();
        table.append(String.format(Locale.ROOT, "%n%-10s %-9s %10s %10s %10s %10s   (ms, p50 per batch, median of %d runs)%n",
                "build", "requests", "relay", "direct", "added", "ours", runs));
        for (int b = 0; b < builds.size(); b++) {
            List<Map<String, Object>> rows = new ArrayList<>();
            List<int[]> ranges = new ArrayList<>();
            for (int from = 0; from < requests; from += batch) {
                ranges.add(new int[] {from, Math.min(requests, from + batch)});
            }
            ranges.add(new int[] {0, requests});
            for (int[] range : ranges) {
                double[] relay = new double[runs];
                double[] direct = new double[runs];
                double[] added = new double[runs];
                double[] ours = new double[runs];
                for (int run = 0; run < runs; run++) {
                    List<Pair> slice = results.get(b).get(run).subList(range[0], range[1]);
                    relay[run] = p50(slice.stream().map(Pair::relayMs).toList());
                    direct[run] = p50(slice.stream().map(Pair::directMs).toList());
                    added[run] = p50(slice.stream().map(p -> p.relayMs() - p.directMs()).toList());
                    ours[run] = p50(slice.stream().filter(p -> p.oursMs() != null).map(Pair::oursMs).toList());
                }
                String label = (range[0] + 1) + "-" + range[1];
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("requests", label);
                row.put("relayP50", Stats.median(relay));
                row.put("directP50", Stats.median(direct));
                row.put("addedP50", Stats.median(added));
                row.put("oursP50", Stats.median(ours));
                row.put("addedP50PerRun", added);
                row.put("oursP50PerRun", ours);
                rows.add(row);
                table.append(String.format(Locale.ROOT, "%-10s %-9s %10.3f %10.3f %10.3f %10.3f%n", builds.get(b).label(), label,
                        Stats.median(relay), Stats.median(direct), Stats.median(added), Stats.median(ours)));
            }
            perBuild.put(builds.get(b).label(), rows);
        }
        System.out.print(table);
        report.put("builds", perBuild);
        report.put("table", table.toString());
        Files.writeString(out, JsonWriter.write(report));
        System.out.println("figures written to " + out);
        return 0;
    }

    private static double p50(List<Double> values) {
        return Stats.percentile(Stats.sorted(values), 50);
    }

    private static double directOnce(StreamClient client, ScheduledUpstream upstream, StreamCheck check, String tag)
            throws Exception {
        StreamClient.Result r = client.post("/v1/chat/completions", UpstreamWire.OPENAI.directBody("Say something.", tag), null);
        upstream.forget(tag);
        String error = r.status() != 200 ? "status " + r.status() : check.error(r.events(), true);
        if (error != null) {
            throw new IllegalStateException("direct request failed: " + error);
        }
        return Stats.ms(check.stepNanos(r, true)[0] - r.startNanos());
    }

    private static Pair relayOnce(StreamClient client, ScheduledUpstream upstream, ServeProcess serve, StreamCheck check,
            String tag, double directMs) throws Exception {
        StreamClient.Result r = client.post("/v1/chat/completions", UpstreamWire.OPENAI.directBody("Say something.", tag),
                "Bearer " + LatencyBench.CALLER_KEY);
        AtomicLongArray sent = upstream.sentTimes(tag);
        ScheduledUpstream.Receipt receipt = upstream.receipt(tag);
        upstream.forget(tag);
        String error = r.status() != 200 ? "status " + r.status() + ": " + r.events()
                : sent == null || receipt == null ? "the upstream never saw the request" : check.error(r.events(), false);
        if (error != null) {
            throw new IllegalStateException("relay request failed: " + error);
        }
        long[] arrived = check.stepNanos(r, false);
        Map<String, Long> points = new LinkedHashMap<>(serve.takeStages(receipt.requestId(), LatencyBench.SERVE_POINTS, 2_000));
        points.put("client", r.startNanos());
        points.put("received", receipt.nanos());
        points.put("upstreamFirst", sent.get(0));
        points.put("callerFirst", arrived[0]);
        Map<String, Double> spans = LatencyBench.spans(points, false);
        return new Pair(Stats.ms(arrived[0] - r.startNanos()), directMs, spans.get("sum: ours"));
    }
}

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
import java.util.Random;

/**
 * What a hedged first token buys and costs. A primary upstream whose first event has a long tail
 * (by default 5% of requests come 2 s late) is reached through {@code serve} on two routes that
 * differ only in that one hedges ({@code hedgeAfterMs}, to a second upstream without the tail).
 * Requests alternate between the two (A B B A ..., so neither side always goes first), and request k
 * of each side is late or not alike (one seeded draw per pair), so both sides see the same tail.
 * Per side: time to the first event at the client (p50, p90, p99, max) and how many upstream
 * requests it took; from serve's request log, which attempt won each hedged request.
 */
final class HedgeBench {
    private record Side(String name, String model, List<Double> ttfbMs) {}

    private final Args args;

    HedgeBench(Args args) {
        this.args = args;
    }

    int run() throws Exception {
        Path jar = Path.of(args.get("jar", "target/llm-relay.jar"));
        String java = args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int requests = args.integer("requests", 200);
        int warmup = args.integer("warmup", 10);
        double baseMs = args.number("first-ms", 200);
        double tailMs = args.number("tail-ms", 2000);
        double tailShare = args.number("tail-percent", 5) / 100;
        long hedgeAfterMs = args.integer("hedge-after-ms", 400);
        int chunks = args.integer("chunks", 10);
        double intervalMs = args.number("interval-ms", 10);
        long seed = args.integer("seed", 15);
        Path out = Path.of(args.get("out", "bench/results/hedge.json"));
        String flags = args.get("serve-flags", String.join(" ", LatencyBench.MANAGED_RUNTIME_FLAGS));
        args.requireAllKnown();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " does not exist: build it with `mvn -B -q package -DskipTests`");
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        System.out.printf(Locale.ROOT, "hedge: %d requests per side (+%d warm-up), interleaved A B B A; primary's first"
                + " event after %.0f ms, %.1f%% of requests after %.0f ms; hedged side: hedgeAfterMs %d to an upstream"
                + " whose first event comes after %.0f ms; %d chunks %.0f ms apart%n", requests, warmup, baseMs,
                tailShare * 100, tailMs, hedgeAfterMs, baseMs, chunks, intervalMs);

        Path config = Files.createTempFile("llm-relay-bench-hedge", ".json");
        Path serveLog = out.resolveSibling("serve-hedge.log");
        Side plain = new Side("plain", "plain-model", new ArrayList<>());
        Side hedged = new Side("hedged", "hedged-model", new ArrayList<>());
        try (ScheduledUpstream plainPrimary = tailed(chunks, intervalMs, baseMs, tailMs);
                ScheduledUpstream hedgedPrimary = tailed(chunks, intervalMs, baseMs, tailMs);
                ScheduledUpstream backup = new ScheduledUpstream(chunks, intervalMs, baseMs)) {
            Files.writeString(config, config(plainPrimary, hedgedPrimary, backup, hedgeAfterMs));
            List<String> serveFlags = flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+"));
            int plainUpstream;
            int hedgedUpstream;
            try (ServeProcess serve = ServeProcess.start(java, serveFlags, jar, config, 4, serveLog);
                    StreamClient client = new StreamClient("127.0.0.1", serve.port())) {
                System.out.printf("serve pid %d on 127.0.0.1:%d (log %s)%n", serve.pid(), serve.port(), serveLog);
                for (int k = 0; k < warmup; k++) {
                    request(client, plain, "warm" + k, false);
                    request(client, hedged, "warm" + k, false);
                }
                int plainBefore = plainPrimary.chatRequests();
                int hedgedBefore = hedgedPrimary.chatRequests() + backup.chatRequests();
                Random draws = new Random(seed);
                for (int k = 0; k < requests; k++) {
                    boolean late = draws.nextDouble() < tailShare;
                    Side first = k % 4 == 0 || k % 4 == 3 ? plain : hedged; // A B B A
                    Side second = first == plain ? hedged : plain;
                    first.ttfbMs().add(request(client, first, "r" + k, late));
                    second.ttfbMs().add(request(client, second, "r" + k, late));
                }
                plainUpstream = plainPrimary.chatRequests() - plainBefore;
                hedgedUpstream = hedgedPrimary.chatRequests() + backup.chatRequests() - hedgedBefore;
            }
            // serve's output reaches its log file as serve stops: read the winners after.
            Map<String, Integer> winners = winners(serveLog, requests + warmup);
            report(plain, hedged, plainUpstream, hedgedUpstream, winners, requests);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("requests", requests);
            settings.put("firstMs", baseMs);
            settings.put("tailMs", tailMs);
            settings.put("tailPercent", tailShare * 100);
            settings.put("hedgeAfterMs", hedgeAfterMs);
            settings.put("chunks", chunks);
            settings.put("intervalMs", intervalMs);
            settings.put("seed", seed);
            Files.writeString(out, JsonWriter.write(results(plain, hedged, plainUpstream, hedgedUpstream, winners,
                    settings)));
            System.out.println("wrote " + out);
        } finally {
            Files.deleteIfExists(config);
        }
        return 0;
    }

    /** A primary whose requests tagged {@code ...-late} send their first event after {@code tailMs}. */
    private static ScheduledUpstream tailed(int chunks, double intervalMs, double baseMs, double tailMs) throws IOException {
        return new ScheduledUpstream(chunks, intervalMs, tag -> tag != null && tag.endsWith("-late") ? tailMs : baseMs);
    }

    private static String config(ScheduledUpstream plain, ScheduledUpstream hedged, ScheduledUpstream backup,
            long hedgeAfterMs) {
        return """
                {"callers":[{"name":"bench","keySha256":"%s"}],
                 "routes":[
                  {"name":"plain","baseUrl":"%s","apiKey":"env:BENCH_UPSTREAM_KEY","models":["plain-model"],"retries":0},
                  {"name":"hedged","baseUrl":"%s","apiKey":"env:BENCH_UPSTREAM_KEY","models":["hedged-model"],"retries":0,
                   "hedgeAfterMs":%d,"hedgeRoute":"backup"},
                  {"name":"backup","baseUrl":"%s","apiKey":"env:BENCH_UPSTREAM_KEY","models":["backup-model"],"retries":0}]}
                """.formatted(LatencyBench.sha256Hex(LatencyBench.CALLER_KEY), plain.baseUrl(), hedged.baseUrl(),
                hedgeAfterMs, backup.baseUrl());
    }

    /** One streamed request; returns the time from writing it to reading its first event, in ms. */
    private static double request(StreamClient client, Side side, String tag, boolean late) throws IOException {
        String body = "{\"model\":\"" + side.model() + "\",\"stream\":true,\"user\":\"" + side.name() + "-" + tag
                + (late ? "-late" : "") + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        StreamClient.Result r = client.post("/v1/chat/completions", body, "Bearer " + LatencyBench.CALLER_KEY);
        if (r.status() != 200 || r.eventCount() == 0) {
            throw new IOException(side.name() + " request " + tag + " failed: " + r.status() + " " + r.events());
        }
        return Stats.ms(r.eventNanos()[0] - r.startNanos());
    }

    /** Which attempt won each hedged request, from serve's request log lines (warm-up included). */
    private static Map<String, Integer> winners(Path serveLog, int expected) throws IOException, InterruptedException {
        Map<String, Integer> winners = new LinkedHashMap<>();
        for (String winner : List.of("primary", "hedge", "none")) {
            winners.put(winner, 0);
        }
        // serve writes a request's log line after its answer ended: give the last one a moment to land.
        for (int tries = 0; tries < 50 && total(winners) < expected; tries++) {
            winners.replaceAll((k, v) -> 0);
            for (String line : Files.readAllLines(serveLog)) {
                for (String winner : winners.keySet()) {
                    if (line.contains("\"winner\":\"" + winner + "\"")) {
                        winners.merge(winner, 1, Integer::sum);
                    }
                }
            }
            if (total(winners) < expected) {
                Thread.sleep(100);
            }
        }
        return winners;
    }

    private static int total(Map<String, Integer> counts) {
        return counts.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void report(Side plain, Side hedged, int plainUpstream, int hedgedUpstream,
            Map<String, Integer> winners, int requests) {
        System.out.printf("%nside     ttfb p50   p90      p99      max (ms)   upstream requests  extra%n");
        for (Side side : List.of(plain, hedged)) {
            double[] sorted = Stats.sorted(side.ttfbMs());
            int upstream = side == plain ? plainUpstream : hedgedUpstream;
            System.out.printf(Locale.ROOT, "%-8s %8.1f %8.1f %8.1f %8.1f   %8d           %+5.1f%%%n", side.name(),
                    Stats.percentile(sorted, 50), Stats.percentile(sorted, 90), Stats.percentile(sorted, 99),
                    sorted[sorted.length - 1], upstream, 100.0 * (upstream - requests) / requests);
        }
        System.out.printf("hedged requests' winners (serve's log, warm-up included): %s%n", winners);
    }

    private static Map<String, Object> results(Side plain, Side hedged, int plainUpstream, int hedgedUpstream,
            Map<String, Integer> winners, Map<String, Object> settings) {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("format", "llm-relay-bench-hedge/1");
        results.put("at", Instant.now().toString());
        results.put("settings", settings);
        for (Side side : List.of(plain, hedged)) {
            double[] sorted = Stats.sorted(side.ttfbMs());
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("ttfbP50Ms", Stats.percentile(sorted, 50));
            figures.put("ttfbP90Ms", Stats.percentile(sorted, 90));
            figures.put("ttfbP99Ms", Stats.percentile(sorted, 99));
            figures.put("ttfbMaxMs", sorted[sorted.length - 1]);
            figures.put("upstreamRequests", side == plain ? plainUpstream : hedgedUpstream);
            figures.put("ttfbMs", side.ttfbMs());
            results.put(side.name(), figures);
        }
        results.put("hedgeWinners", new LinkedHashMap<>(winners));
        return results;
    }
}

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

    /** The options, with their defaults. */
    private record Settings(Path jar, String java, int requests, int warmup, double firstMs, double tailMs,
            double tailShare, long hedgeAfterMs, int chunks, double intervalMs, long seed, Path out, List<String> serveFlags) {

        static Settings read(Args args) {
            Settings settings = new Settings(Path.of(args.get("jar", "target/llm-relay.jar")),
                    args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                    args.integer("requests", 200), args.integer("warmup", 10), args.number("first-ms", 200),
                    args.number("tail-ms", 2000), args.number("tail-percent", 5) / 100, args.integer("hedge-after-ms", 400),
                    args.integer("chunks", 10), args.number("interval-ms", 10), args.integer("seed", 15),
                    Path.of(args.get("out", "bench/results/hedge.json")),
                    LatencyBench.serveFlags(args));
            args.requireAllKnown();
            if (!Files.isRegularFile(settings.jar())) {
                throw new IllegalArgumentException(settings.jar() + " does not exist: build it with `mvn -B -q package"
                        + " -DskipTests`");
            }
            return settings;
        }

        Map<String, Object> asMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("requests", requests);
            map.put("firstMs", firstMs);
            map.put("tailMs", tailMs);
            map.put("tailPercent", tailShare * 100);
            map.put("hedgeAfterMs", hedgeAfterMs);
            map.put("chunks", chunks);
            map.put("intervalMs", intervalMs);
            map.put("seed", seed);
            return map;
        }
    }

    /** Upstream requests each side took (warm-up left out). */
    private record Cost(int plain, int hedged) {}

    private final Args args;

    HedgeBench(Args args) {
        this.args = args;
    }

    int run() throws Exception {
        Settings settings = Settings.read(args);
        Files.createDirectories(settings.out().toAbsolutePath().getParent());
        System.out.printf(Locale.ROOT, "hedge: %d requests per side (+%d warm-up), interleaved A B B A; primary's first"
                + " event after %.0f ms, %.1f%% of requests after %.0f ms; hedged side: hedgeAfterMs %d to an upstream"
                + " whose first event comes after %.0f ms; %d chunks %.0f ms apart%n", settings.requests(),
                settings.warmup(), settings.firstMs(), settings.tailShare() * 100, settings.tailMs(),
                settings.hedgeAfterMs(), settings.firstMs(), settings.chunks(), settings.intervalMs());
        Path config = Files.createTempFile("llm-relay-bench-hedge", ".json");
        Path serveLog = settings.out().resolveSibling("serve-hedge.log");
        Side plain = new Side("plain", "plain-model", new ArrayList<>());
        Side hedged = new Side("hedged", "hedged-model", new ArrayList<>());
        try (ScheduledUpstream plainPrimary = tailed(settings);
                ScheduledUpstream hedgedPrimary = tailed(settings);
                ScheduledUpstream backup = new ScheduledUpstream(settings.chunks(), settings.intervalMs(), settings.firstMs())) {
            Files.writeString(config, config(plainPrimary, hedgedPrimary, backup, settings.hedgeAfterMs()));
            Cost cost;
            try (ServeProcess serve = ServeProcess.start(settings.java(), settings.serveFlags(), settings.jar(), config, 4,
                    serveLog)) {
                System.out.printf("serve pid %d on 127.0.0.1:%d (log %s)%n", serve.pid(), serve.port(), serveLog);
                cost = measure(settings, serve, plain, hedged, plainPrimary, hedgedPrimary, backup);
            }
            // serve's output reaches its log file as serve stops: read the winners after.
            Map<String, Integer> winners = winners(serveLog, settings.requests() + settings.warmup());
            report(plain, hedged, cost, winners, settings.requests());
            Files.writeString(settings.out(), JsonWriter.write(results(plain, hedged, cost, winners, settings.asMap())));
            System.out.println("wrote " + settings.out());
        } finally {
            Files.deleteIfExists(config);
        }
        return 0;
    }

    /** The warm-up, then the interleaved pairs; returns the upstream requests the measured ones took. */
    private static Cost measure(Settings settings, ServeProcess serve, Side plain, Side hedged,
            ScheduledUpstream plainPrimary, ScheduledUpstream hedgedPrimary, ScheduledUpstream backup) throws IOException {
        try (StreamClient client = new StreamClient("127.0.0.1", serve.port())) {
            for (int k = 0; k < settings.warmup(); k++) {
                request(client, plain, "warm" + k, false);
                request(client, hedged, "warm" + k, false);
            }
            int plainBefore = plainPrimary.chatRequests();
            int hedgedBefore = hedgedPrimary.chatRequests() + backup.chatRequests();
            Random draws = new Random(settings.seed());
            for (int k = 0; k < settings.requests(); k++) {
                boolean late = draws.nextDouble() < settings.tailShare();
                Side first = k % 4 == 0 || k % 4 == 3 ? plain : hedged; // A B B A
                Side second = first == plain ? hedged : plain;
                first.ttfbMs().add(request(client, first, "r" + k, late));
                second.ttfbMs().add(request(client, second, "r" + k, late));
            }
            return new Cost(plainPrimary.chatRequests() - plainBefore,
                    hedgedPrimary.chatRequests() + backup.chatRequests() - hedgedBefore);
        }
    }

    /** A primary whose requests tagged {@code ...-late} send their first event after {@code tailMs}. */
    private static ScheduledUpstream tailed(Settings settings) throws IOException {
        return new ScheduledUpstream(settings.chunks(), settings.intervalMs(),
                tag -> tag != null && tag.endsWith("-late") ? settings.tailMs() : settings.firstMs());
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

    private static void report(Side plain, Side hedged, Cost cost, Map<String, Integer> winners, int requests) {
        System.out.printf("%nside     ttfb p50   p90      p99      max (ms)   upstream requests  extra%n");
        for (Side side : List.of(plain, hedged)) {
            double[] sorted = Stats.sorted(side.ttfbMs());
            int upstream = side == plain ? cost.plain() : cost.hedged();
            System.out.printf(Locale.ROOT, "%-8s %8.1f %8.1f %8.1f %8.1f   %8d           %+5.1f%%%n", side.name(),
                    Stats.percentile(sorted, 50), Stats.percentile(sorted, 90), Stats.percentile(sorted, 99),
                    sorted[sorted.length - 1], upstream, 100.0 * (upstream - requests) / requests);
        }
        System.out.printf("hedged requests' winners (serve's log, warm-up included): %s%n", winners);
    }

    private static Map<String, Object> results(Side plain, Side hedged, Cost cost, Map<String, Integer> winners,
            Map<String, Object> settings) {
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
            figures.put("upstreamRequests", side == plain ? cost.plain() : cost.hedged());
            figures.put("ttfbMs", side.ttfbMs());
            results.put(side.name(), figures);
        }
        results.put("hedgeWinners", new LinkedHashMap<>(winners));
        return results;
    }
}

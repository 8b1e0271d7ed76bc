package io.llmrelay.bench;

import io.llmrelay.upstream.sse.SseReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much of the relay's added time to first byte is its upstream HTTP client: the JDK
 * {@link HttpClient} configured as {@code OpenAiClient} uses it (HTTP/1.1 on plain http,
 * {@code ofInputStream}, events read with the relay's SseReader) against a blocking socket client
 * ({@link StreamClient}), both on kept-alive loopback connections to the scheduled upstream,
 * interleaved, in this JVM. Run it with the managed runtime's flags (run.sh does) to see the
 * relay's JIT; the figure is request written to first event read.
 */
final class UpstreamClientBench {
    private final Args args;

    UpstreamClientBench(Args args) {
        this.args = args;
    }

    int run() throws Exception {
        int requests = args.integer("requests", 400);
        int warmup = args.integer("warmup", 400);
        Path out = Path.of(args.get("out", "bench/results/upstream-client.json"));
        args.requireAllKnown();
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (ScheduledUpstream upstream = new ScheduledUpstream(2, 0.5, 0);
                HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                        .followRedirects(HttpClient.Redirect.NEVER).build();
                // The same, with its tasks run where they arise instead of on its pool: one hand-off less.
                HttpClient direct = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                        .followRedirects(HttpClient.Redirect.NEVER).executor(Runnable::run).build();
                StreamClient raw = new StreamClient("127.0.0.1", upstream.port())) {
            URI uri = URI.create(upstream.baseUrl() + "/chat/completions");
            List<Double> jdkMs = new ArrayList<>();
            List<Double> rawMs = new ArrayList<>();
            List<Double> directMs = new ArrayList<>();
            for (int i = 0; i < warmup + requests; i++) {
                double a = viaJdk(jdk, uri, "w" + i);
                double b = viaRaw(raw, "r" + i);
                double c = viaJdk(direct, uri, "d" + i);
                if (i >= warmup) {
                    jdkMs.add(a);
                    rawMs.add(b);
                    directMs.add(c);
                }
            }
            double[] j = Stats.sorted(jdkMs);
            double[] r = Stats.sorted(rawMs);
            double[] d = Stats.sorted(directMs);
            String table = String.format(Locale.ROOT, "%nrequest written -> first event read, ms (%d requests each, "
                            + "interleaved, JVM flags: %s)%n%-40s %8s %8s%n%-40s %8.3f %8.3f%n%-40s %8.3f %8.3f%n%-40s %8.3f %8.3f%n",
                    requests, java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments(), "client",
                    "p50", "p99", "JDK HttpClient (OpenAiClient)", Stats.percentile(j, 50), Stats.percentile(j, 99),
                    "JDK HttpClient, executor(Runnable::run)", Stats.percentile(d, 50), Stats.percentile(d, 99),
                    "blocking socket client", Stats.percentile(r, 50), Stats.percentile(r, 99));
            System.out.print(table);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("jdkHttpClientP50Ms", Stats.percentile(j, 50));
            report.put("jdkHttpClientP99Ms", Stats.percentile(j, 99));
            report.put("jdkHttpClientDirectExecutorP50Ms", Stats.percentile(d, 50));
            report.put("jdkHttpClientDirectExecutorP99Ms", Stats.percentile(d, 99));
            report.put("socketClientP50Ms", Stats.percentile(r, 50));
            report.put("socketClientP99Ms", Stats.percentile(r, 99));
            report.put("requests", requests);
            report.put("jvmArgs", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
            report.put("table", table);
            Files.writeString(out, JsonWriter.write(report));
            return 0;
        }
    }

    private static String body(String tag) {
        return "{\"model\":\"bench-model\",\"stream\":true,\"user\":\"" + tag
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}]}";
    }

    private static double viaJdk(HttpClient client, URI uri, String tag) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .version(HttpClient.Version.HTTP_1_1)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body(tag).getBytes(StandardCharsets.UTF_8)))
                .setHeader("Content-Type", "application/json").setHeader("Accept", "text/event-stream")
                .setHeader("Authorization", "Bearer sk-bench").build();
        long start = System.nanoTime();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            SseReader reader = new SseReader(in);
            reader.next();
            long first = System.nanoTime();
            while (reader.next() != null) {
                // drain, so the connection goes back to the pool
            }
            return Stats.ms(first - start);
        }
    }

    private static double viaRaw(StreamClient client, String tag) throws IOException {
        StreamClient.Result r = client.post("/v1/chat/completions", body(tag), "Bearer sk-bench");
        return Stats.ms(r.eventNanos()[0] - r.startNanos());
    }
}

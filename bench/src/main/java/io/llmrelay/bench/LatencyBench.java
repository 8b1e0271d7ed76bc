package io.llmrelay.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Added latency of the relay: the same scheduled upstream, reached directly and through
 * {@code serve} (the full Runtime API path, a separate JVM with the managed runtime's flags),
 * interleaved in rounds at each concurrency, in one run.
 *
 * <p>Per request: time to first byte (request written to first response byte read) and time to
 * first event. Per chunk: one-way delay, from the upstream handing the chunk to its socket to
 * the client reading its last byte. A chunk counts as <em>held back</em> when it reached the
 * client only after the upstream had already sent the next one (it travelled with, or behind,
 * its successor), and as <em>coalesced</em> when it and the next one arrived in the same read.
 * Both are counted for the direct path too: that is the measurement's own floor (a client
 * thread descheduled on a busy 2-core machine looks exactly like a held-back chunk).
 */
final class LatencyBench {
    static final String CALLER_KEY = "rk-bench-caller-key-not-a-secret";
    /**
     * The JIT and GC flags the function runs with on Lambda, on-demand (the template's default): the
     * managed runtime's. Where init runs ahead of requests (SnapStart, provisioned concurrency)
     * src/lambda/relay-wrapper puts {@code -XX:CompileThresholdScaling=0.05} in front; measure that
     * with {@code --serve-env label:JAVA_TOOL_OPTIONS=-XX:CompileThresholdScaling=0.05}.
     */
    static final List<String> MANAGED_RUNTIME_FLAGS =
            List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** {@code --serve-flags}: serve's JVM flags, split on whitespace (none when blank); by default {@link #MANAGED_RUNTIME_FLAGS}. */
    static List<String> serveFlags(Args args) {
        String text = args.get("serve-flags", String.join(" ", MANAGED_RUNTIME_FLAGS));
        return new ArrayList<>(text.isBlank() ? List.of() : List.of(text.trim().split("\\s+")));
    }

    /** -Dbench.trace=true: prints the client's and the upstream's timestamps of each relayed request. */
    private static final boolean TRACE = Boolean.getBoolean("bench.trace");

    /** Target 0 is the upstream itself; target k >= 1 is serve of build k (--jar label=path,...). */
    private static final int DIRECT = 0;

    private record Sample(int target, int concurrency, int repeat, double ttfbMs, double firstEventMs,
            double[] chunkDelayMs, int heldBack, int coalesced, boolean valid, String error, Map<String, Double> stageMs) {
        Sample(int target, int concurrency, int repeat, String error) {
            this(target, concurrency, repeat, Double.NaN, Double.NaN, new double[0], 0, 0, false, error, Map.of());
        }
    }

    /**
     * The stage table's rows: the first chunk's way from the client's request to the client, one
     * span per pair of consecutive timestamps. Points: {@code client} (request written), serve's
     * {@code frontend} (Jetty handed it over), {@code delivered} (serve's Runtime API gave it to a
     * {@code next}), the relay's {@code next}, {@code handler}, {@code sent}, {@code head},
     * {@code event}, {@code written} (io.llmrelay.stages.Stages), the upstream's {@code received}
     * (body read) and {@code upstreamFirst} (head and first event handed to its socket), and
     * {@code callerFirst} (the client read the first event). Owner: {@code serve} is serve's
     * stand-in for Lambda's frontend and Runtime API (Lambda's own on AWS), {@code ours} is the
     * function's code (Runtime API client, handler, upstream client), {@code upstream} the
     * upstream's.
     */
    record Span(String name, String from, String to, String owner) {}

    static final List<Span> SPANS = List.of(
            new Span("frontend in", "client", "frontend", "serve"),
            new Span("queued, given to next", "frontend", "delivered", "serve"),
            new Span("next reply to loop", "delivered", "next", "ours"),
            new Span("event to handler", "next", "handler", "ours"),
            new Span("handler to send", "handler", "sent", "ours"),
            new Span("request to upstream", "sent", "received", "ours"),
            new Span("upstream's own", "received", "upstreamFirst", "upstream"),
            new Span("upstream to head", "upstreamFirst", "head", "ours"),
            new Span("head to first event", "head", "event", "ours"),
            new Span("event to chunk written", "event", "written", "ours"),
            new Span("written to caller", "written", "callerFirst", "serve"),
            // The runtime loop thread's CPU time over its own spans (Stages' cpu_ marks): what of
            // "ours" was work on that thread rather than waiting for a peer or a core.
            new Span("cpu: read the next reply", "cpu_polling", "cpu_next", "cpu"),
            new Span("cpu: event to handler", "cpu_next", "cpu_handler", "cpu"),
            new Span("cpu: handler to send", "cpu_handler", "cpu_sent", "cpu"),
            new Span("cpu: send, read the head", "cpu_sent", "cpu_head", "cpu"),
            new Span("cpu: head to first event", "cpu_head", "cpu_event", "cpu"),
            new Span("cpu: event to chunk written", "cpu_event", "cpu_written", "cpu"),
            new Span("direct: client to upstream", "client", "received", "direct"),
            new Span("direct: upstream to client", "upstreamFirst", "callerFirst", "direct"));

    /** The relay's own points, all of which a complete stage line has. */
    static final List<String> SERVE_POINTS =
            List.of("frontend", "delivered", "next", "handler", "sent", "head", "event", "written");
    /** Per request, besides the spans: the sum of the spans of each owner. */
    private static final List<String> OWNERS = List.of("ours", "serve", "upstream", "cpu");

    /**
     * A build under test: a label, its runnable jar, and environment variables for its serve
     * process ({@code --serve-env label:NAME=VALUE,...}): the same jar twice under two labels with
     * different variables measures a switch side by side, e.g. metrics on and off.
     */
    record Build(String label, Path jar, Map<String, String> env) {
        static List<Build> parse(String spec, String envSpec) {
            Map<String, Map<String, String>> envs = env(envSpec);
            List<Build> builds = new ArrayList<>();
            for (String part : spec.split(",")) {
                int eq = part.indexOf('=');
                String label = eq < 0 ? "relay" : part.substring(0, eq).trim();
                Path jar = Path.of((eq < 0 ? part : part.substring(eq + 1)).trim());
                builds.add(new Build(label, jar, envs.getOrDefault(label, Map.of())));
            }
            for (String label : envs.keySet()) {
                if (builds.stream().noneMatch(b -> b.label().equals(label))) {
                    throw new IllegalArgumentException("--serve-env names build '" + label + "', which --jar does not");
                }
            }
            return builds;
        }

        /** {@code label:NAME=VALUE,label:NAME=VALUE}; empty for none. */
        private static Map<String, Map<String, String>> env(String spec) {
            Map<String, Map<String, String>> envs = new LinkedHashMap<>();
            if (spec.isBlank()) {
                return envs;
            }
            for (String part : spec.split(",")) {
                int colon = part.indexOf(':');
                int eq = part.indexOf('=', colon + 1);
                if (colon < 1 || eq < colon + 2) {
                    throw new IllegalArgumentException("--serve-env wants label:NAME=VALUE, was '" + part + "'");
                }
                envs.computeIfAbsent(part.substring(0, colon).trim(), l -> new LinkedHashMap<>())
                        .put(part.substring(colon + 1, eq).trim(), part.substring(eq + 1));
            }
            return envs;
        }

        @Override
        public String toString() {
            return label + "=" + jar + (env.isEmpty() ? "" : " " + env);
        }
    }

    private final Args args;
    private final AtomicLong tags = new AtomicLong();
    private final long benchStart = System.nanoTime();
    private final String loadAtStart = Stats.loadAverage();
    /** When and where chunks were held back, to line them up with GC logs (-Xlog:gc:...:uptime in --serve-flags). */
    private final List<String> heldBackLog = Collections.synchronizedList(new ArrayList<>());
    private String arrival;
    /** serve runs with -Dllmrelay.stages=true and the stage table is printed (--stages false: neither). */
    private boolean stages;
    private final List<ServeProcess> serves = new ArrayList<>();
    private double intervalMs;
    private double firstDelayMs;
    private UpstreamWire wire;
    private StreamCheck check;

    LatencyBench(Args args) {
        this.args = args;
    }

    int run() throws Exception {
        List<Build> builds = Build.parse(args.get("jar", "target/llm-relay.jar"), args.get("serve-env", ""));
        String java = args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int chunks = args.integer("chunks", 50);
        intervalMs = args.number("interval-ms", 20);
        firstDelayMs = args.number("first-delay-ms", 0);
        arrival = args.get("arrival", "staggered");
        wire = UpstreamWire.parse(args.get("upstream", "openai"));
        int[] levels = args.integers("concurrency", "1,16,64");
        int[] rounds = args.integers("rounds", "10,2,2");
        int repeats = args.integer("repeats", 3);
        int warmupRounds = args.integer("warmup-rounds", 4);
        Path out = Path.of(args.get("out", "bench/results/latest.json"));
        List<String> serveFlags = serveFlags(args);
        stages = Boolean.parseBoolean(args.get("stages", "true"));
        args.requireAllKnown();
        if (!arrival.equals("staggered") && !arrival.equals("burst")) {
            throw new IllegalArgumentException("--arrival is staggered or burst");
        }
        if (rounds.length != levels.length) {
            throw new IllegalArgumentException("--rounds needs one value per --concurrency level");
        }
        for (Build b : builds) {
            if (!Files.isRegularFile(b.jar())) {
                throw new IllegalArgumentException(b.jar() + " does not exist: build it with `mvn -B -q package"
                        + " -DskipTests` or point --jar at it");
            }
        }
        if (stages) {
            serveFlags.add("-Dllmrelay.stages=true");
        }
        int maxConcurrency = 0;
        for (int c : levels) {
            maxConcurrency = Math.max(maxConcurrency, c);
        }
        Files.createDirectories(out.toAbsolutePath().getParent());

        System.out.printf(Locale.ROOT, "latency: %s upstream, %d chunks %.1f ms apart (first after %.1f ms), concurrency %s, "
                        + "%s arrivals, rounds %s x %d repeats, relay = serve %s of %s%n", wire.label(), chunks, intervalMs,
                firstDelayMs, Arrays.toString(levels), arrival, Arrays.toString(rounds), repeats, serveFlags, builds);
        check = new StreamCheck(wire, chunks);

        ExecutorService pool = Executors.newFixedThreadPool(maxConcurrency);
        List<Slot> slots = new ArrayList<>();
        Path config = Files.createTempFile("llm-relay-bench-config", ".json");
        try (ScheduledUpstream upstream = new ScheduledUpstream(wire, chunks, intervalMs, firstDelayMs)) {
            Files.writeString(config, """
                    {"callers":[{"name":"bench","keySha256":"%s"}],
                     "routes":[%s]}
                    """.formatted(sha256Hex(CALLER_KEY), wire.route(upstream.port())));
            for (Build b : builds) {
                Path serveLog = out.resolveSibling("serve-" + b.label() + ".log");
                Map<String, String> serveEnv = new java.util.LinkedHashMap<>(b.env());
                if (wire == UpstreamWire.BEDROCK) {
                    serveEnv.putAll(UpstreamWire.AWS_ENV);
                }
                ServeProcess serve = ServeProcess.start(java, serveFlags, b.jar(), config, maxConcurrency, serveLog, serveEnv);
                serves.add(serve);
                System.out.printf("%s: serve pid %d on 127.0.0.1:%d (log %s)%n", b.label(), serve.pid(), serve.port(),
                        serveLog);
            }
            System.out.printf("upstream on 127.0.0.1:%d%n", upstream.port());
            int targets = builds.size() + 1;
            for (int i = 0; i < maxConcurrency; i++) {
                StreamClient[] clients = new StreamClient[targets];
                clients[DIRECT] = new StreamClient("127.0.0.1", upstream.port());
                for (int k = 1; k < targets; k++) {
                    clients[k] = new StreamClient("127.0.0.1", serves.get(k - 1).port());
                }
                slots.add(new Slot(clients));
            }
            long warmStart = System.nanoTime();
            for (int r = 0; r < warmupRounds; r++) {
                for (int c : new int[] {maxConcurrency, 1}) {
                    for (int t = 0; t < targets; t++) {
                        batch(pool, slots, upstream, t, c, -1);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "warm-up: %d rounds in %.1f s%n", warmupRounds,
                    (System.nanoTime() - warmStart) / 1e9);
            List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
            for (int repeat = 0; repeat < repeats; repeat++) {
                for (int li = 0; li < levels.length; li++) {
                    int c = levels[li];
                    long t0 = System.nanoTime();
                    for (int r = 0; r < rounds[li]; r++) {
                        // Rotate which target goes first, so that drift on a noisy machine favours none.
                        for (int k = 0; k < targets; k++) {
                            samples.addAll(batch(pool, slots, upstream, (k + r + repeat) % targets, c, repeat));
                        }
                    }
                    System.out.printf(Locale.ROOT, "repeat %d, concurrency %d: %d rounds in %.1f s%n",
                            repeat + 1, c, rounds[li], (System.nanoTime() - t0) / 1e9);
                }
            }
            Map<String, Object> report = report(samples, builds, levels, repeats, chunks, java, serveFlags, rounds);
            Files.writeString(out, JsonWriter.write(report));
            System.out.println("figures written to " + out);
            @SuppressWarnings("unchecked")
            boolean ok = (Boolean) ((Map<String, Object>) report.get("summary")).get("allValid");
            return ok ? 0 : 1;
        } finally {
            pool.shutdownNow();
            slots.forEach(Slot::close);
            for (ServeProcess serve : serves) {
                serve.close();
            }
            Files.deleteIfExists(config);
        }
    }

    /** One simulated caller: a kept-alive connection to each target. */
    private record Slot(StreamClient[] clients) {
        void close() {
            for (StreamClient c : clients) {
                c.close();
            }
        }
    }

    /**
     * One batch of one target at one concurrency. {@code burst}: every slot sends one request at the
     * same instant (a thundering herd: the worst case). {@code staggered} (default): slot k starts
     * k/c of a stream's length after slot 0 and sends two requests back to back, so that about c
     * streams are in flight at any moment, arriving one after another as independent callers do.
     */
    private List<Sample> batch(ExecutorService pool, List<Slot> slots, ScheduledUpstream upstream, int target,
            int concurrency, int repeat) throws InterruptedException {
        List<ServeProcess> serves = this.serves;
        boolean staggered = arrival.equals("staggered") && concurrency > 1;
        int perSlot = staggered ? 2 : 1;
        long streamNanos = (long) (firstDelayMs * 1e6 + (upstream.chunks() - 1) * intervalMs * 1e6);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<List<Sample>>> futures = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            Slot slot = slots.get(i);
            long offset = staggered ? streamNanos * i / concurrency : 0;
            futures.add(pool.submit(() -> {
                go.await();
                long due = System.nanoTime() + offset;
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                List<Sample> mine = new ArrayList<>();
                for (int k = 0; k < perSlot; k++) {
                    mine.add(one(slot.clients()[target], upstream, target == DIRECT ? null : serves.get(target - 1),
                            target, concurrency, repeat));
                }
                return mine;
            }));
        }
        go.countDown();
        List<Sample> out = new ArrayList<>();
        for (Future<List<Sample>> f : futures) {
            try {
                out.addAll(f.get(180, TimeUnit.SECONDS));
            } catch (Exception e) {
                out.add(new Sample(target, concurrency, repeat, String.valueOf(e)));
            }
        }
        Thread.sleep(50); // let sockets and GC settle between batches
        return out;
    }

    private Sample one(StreamClient client, ScheduledUpstream upstream, ServeProcess serve, int target, int concurrency,
            int repeat) {
        String tag = "bench-" + tags.incrementAndGet();
        // A translating route drops "user": the upstream then finds the tag in the message.
        String content = "Say something." + (wire == UpstreamWire.OPENAI ? "" : " " + tag);
        boolean direct = target == DIRECT;
        try {
            StreamClient.Result r = direct
                    ? client.post(wire.directPath(), wire.directBody(content, tag), null, wire.binary())
                    : client.post("/v1/chat/completions", UpstreamWire.OPENAI.directBody(content, tag), "Bearer " + CALLER_KEY);
            AtomicLongArray sent = upstream.sentTimes(tag);
            ScheduledUpstream.Receipt receipt = upstream.receipt(tag);
            upstream.forget(tag);
            if (TRACE && sent != null && target != DIRECT) {
                System.out.println("T client.start " + r.startNanos() + "\nT upstream.firstSent " + sent.get(0)
                        + "\nT client.firstByte " + r.firstByteNanos() + "\nT upstream.secondSent " + sent.get(1)
                        + "\nT client.second " + r.eventNanos()[1]);
            }
            int n = upstream.chunks();
            String error = null;
            if (r.status() != 200) {
                error = "status " + r.status() + ": " + r.events();
            } else if (sent == null) {
                error = "the upstream never saw the request";
            } else {
                error = check.error(r.events(), direct);
            }
            if (error != null) {
                return new Sample(target, concurrency, repeat, error);
            }
            long[] arrived = check.stepNanos(r, direct);
            int[] readOf = check.stepReads(r, direct);
            double[] delays = new double[n + 1];
            int held = 0;
            int coalesced = 0;
            for (int i = 0; i <= n; i++) {
                delays[i] = Stats.ms(arrived[i] - sent.get(i));
                // The last chunk and [DONE] leave together by design; judge only chunks whose successor was due later.
                if (i < n - 1) {
                    if (arrived[i] >= sent.get(i + 1)) {
                        held++;
                        if (heldBackLog.size() < 200) {
                            heldBackLog.add(String.format(Locale.ROOT, "%starget %d c=%d chunk %d sent at nanoTime %d (+%.1f ms into the bench), "
                                    + "arrived %.1f ms later", repeat < 0 ? "warm-up: " : "", target, concurrency, i, sent.get(i),
                                    (sent.get(i) - benchStart) / 1e6, delays[i]));
                        }
                    }
                    if (readOf[i] == readOf[i + 1]) {
                        coalesced++;
                    }
                }
            }
            Map<String, Long> points = new LinkedHashMap<>();
            if (stages && serve != null && receipt != null && receipt.requestId() != null) {
                points.putAll(serve.takeStages(receipt.requestId(), SERVE_POINTS, 2_000));
            }
            points.put("client", r.startNanos());
            if (receipt != null) {
                points.put("received", receipt.nanos());
            }
            points.put("upstreamFirst", sent.get(0));
            points.put("callerFirst", arrived[0]);
            return new Sample(target, concurrency, repeat, Stats.ms(r.firstByteNanos() - r.startNanos()),
                    Stats.ms(arrived[0] - r.startNanos()), delays, held, coalesced, true, null,
                    spans(points, direct));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Sample(target, concurrency, repeat, String.valueOf(e));
        } catch (IOException | RuntimeException e) {
            upstream.forget(tag);
            return new Sample(target, concurrency, repeat, String.valueOf(e));
        }
    }

    /** Each span whose two points are known, in ms; and per owner, the sum of its spans when all of them are known. */
    static Map<String, Double> spans(Map<String, Long> points, boolean direct) {
        Map<String, Double> out = new LinkedHashMap<>();
        Map<String, Double> sums = new LinkedHashMap<>();
        Map<String, Boolean> complete = new LinkedHashMap<>();
        for (Span span : SPANS) {
            if (direct != span.owner().equals("direct")) {
                continue;
            }
            Long from = points.get(span.from());
            Long to = points.get(span.to());
            boolean known = from != null && to != null;
            if (known) {
                out.put(span.name(), Stats.ms(to - from));
                sums.merge(span.owner(), Stats.ms(to - from), Double::sum);
            }
            complete.merge(span.owner(), known, Boolean::logicalAnd);
        }
        for (String owner : OWNERS) {
            if (Boolean.TRUE.equals(complete.get(owner))) {
                out.put("sum: " + owner, sums.get(owner));
            }
        }
        return out;
    }

    /** Stage rows, then the per-owner sums: the table's row names. */
    private static List<String> stageRows() {
        List<String> rows = new ArrayList<>();
        SPANS.forEach(s -> rows.add(s.name()));
        OWNERS.forEach(o -> rows.add("sum: " + o));
        return rows;
    }

    /**
     * Per row and concurrency, p50 and p99 over each repeat's requests, then the median over
     * repeats; the relay's rows from {@code target}'s samples, the direct rows from the direct path's.
     */
    private Map<String, Object> stageTable(List<Sample> samples, int target, int[] levels, int repeats,
            StringBuilder table, String label) {
        Map<String, Object> rows = new LinkedHashMap<>();
        table.append(String.format(Locale.ROOT, "%n[%s] stages of the first chunk (ms, p50 / p99 per repeat, median of %d"
                + " repeats)%n%-28s %-8s", label, repeats, "stage", "owner"));
        for (int c : levels) {
            table.append(String.format(Locale.ROOT, " %17s", "c=" + c));
        }
        table.append('\n');
        for (String row : stageRows()) {
            String owner = row.startsWith("sum: ") ? "" : SPANS.stream().filter(s -> s.name().equals(row))
                    .findFirst().orElseThrow().owner();
            int from = owner.equals("direct") ? DIRECT : target;
            Map<String, Object> perLevel = new LinkedHashMap<>();
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s %-8s", row, owner));
            boolean any = false;
            for (int c : levels) {
                double[] p50 = new double[repeats];
                double[] p99 = new double[repeats];
                int n = 0;
                for (int rep = 0; rep < repeats; rep++) {
                    List<Double> values = new ArrayList<>();
                    for (Sample s : samples) {
                        if (s.target() == from && s.concurrency() == c && s.repeat() == rep && s.valid()
                                && s.stageMs().containsKey(row)) {
                            values.add(s.stageMs().get(row));
                        }
                    }
                    double[] sorted = Stats.sorted(values);
                    p50[rep] = Stats.percentile(sorted, 50);
                    p99[rep] = Stats.percentile(sorted, 99);
                    n += values.size();
                }
                any |= n > 0;
                Map<String, Object> cell = new LinkedHashMap<>();
                cell.put("p50", Stats.median(p50));
                cell.put("p99", Stats.median(p99));
                cell.put("p50PerRepeat", p50);
                cell.put("p99PerRepeat", p99);
                cell.put("samples", n);
                perLevel.put(Integer.toString(c), cell);
                line.append(String.format(Locale.ROOT, " %8.3f / %6.3f", Stats.median(p50), Stats.median(p99)));
            }
            if (any) {
                rows.put(row, perLevel);
                table.append(line).append('\n');
            }
        }
        return rows;
    }

    // ---- report ------------------------------------------------------------------------------

    private Map<String, Object> report(List<Sample> samples, List<Build> builds, int[] levels, int repeats, int chunks,
            String java, List<String> serveFlags, int[] rounds) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("date", Instant.now().toString());
        Map<String, Object> jars = new LinkedHashMap<>();
        builds.forEach(b -> jars.put(b.label(), b.jar().toAbsolutePath().toString()));
        setup.put("jars", jars);
        Map<String, Object> envs = new LinkedHashMap<>();
        builds.stream().filter(b -> !b.env().isEmpty()).forEach(b -> envs.put(b.label(), b.env()));
        setup.put("serveEnv", envs);
        setup.put("java", java);
        setup.put("javaVersion", System.getProperty("java.version"));
        setup.put("serveFlags", serveFlags);
        setup.put("cpus", Runtime.getRuntime().availableProcessors());
        setup.put("loadAverageAtStart", loadAtStart);
        setup.put("loadAverageAtEnd", Stats.loadAverage());
        setup.put("upstream", wire.label());
        setup.put("chunks", chunks);
        setup.put("intervalMs", intervalMs);
        setup.put("firstDelayMs", firstDelayMs);
        setup.put("arrival", arrival);
        setup.put("repeats", repeats);
        setup.put("roundsPerRepeat", Arrays.stream(rounds).boxed().toList());
        setup.put("method", "Each round: one batch per target (direct, then each serve build; the order rotates). "
                + "Batch at concurrency c: arrival=burst, c requests released together; arrival=staggered, slot k "
                + "starts k/c of a stream's length late and sends 2 requests back to back (about c streams in flight). "
                + "Figures per repeat are percentiles over that repeat's requests (ttfb, firstEvent) or chunks "
                + "(chunkDelay: upstream socket write to client read); the table shows the median over repeats. "
                + "added = relay - direct of the same percentile. heldBack: a chunk that reached the client only "
                + "after the upstream had sent the next one; coalesced: a chunk that arrived in the same read as the next.");
        root.put("setup", setup);

        boolean allValid = true;
        StringBuilder table = new StringBuilder();
        Map<String, Object> perBuild = new LinkedHashMap<>();
        Map<String, Object> stageTables = new LinkedHashMap<>();
        long relayHeld = 0;
        for (int k = 1; k <= builds.size(); k++) {
            int target = k;
            String label = builds.get(k - 1).label();
            List<Map<String, Object>> rows = new ArrayList<>();
            table.append(String.format(Locale.ROOT, "%n[%s] relay through serve vs direct (ms; x = relay/direct)%n", label));
            table.append(String.format(Locale.ROOT, "%-5s %-11s %9s %9s %9s %6s | %9s %9s %9s %6s%n", "conc", "metric",
                    "direct50", "relay50", "added50", "x50", "direct99", "relay99", "added99", "x99"));
            for (int c : levels) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("concurrency", c);
                for (String metric : List.of("ttfb", "firstEvent", "chunkDelay")) {
                    double[][] perRepeat = new double[4][repeats]; // direct50, relay50, direct99, relay99
                    for (int rep = 0; rep < repeats; rep++) {
                        double[] d = Stats.sorted(values(samples, DIRECT, c, rep, metric));
                        double[] r = Stats.sorted(values(samples, target, c, rep, metric));
                        perRepeat[0][rep] = Stats.percentile(d, 50);
                        perRepeat[1][rep] = Stats.percentile(r, 50);
                        perRepeat[2][rep] = Stats.percentile(d, 99);
                        perRepeat[3][rep] = Stats.percentile(r, 99);
                    }
                    double[] added50 = new double[repeats];
                    double[] added99 = new double[repeats];
                    for (int rep = 0; rep < repeats; rep++) {
                        added50[rep] = perRepeat[1][rep] - perRepeat[0][rep];
                        added99[rep] = perRepeat[3][rep] - perRepeat[2][rep];
                    }
                    double d50 = Stats.median(perRepeat[0]);
                    double r50 = Stats.median(perRepeat[1]);
                    double d99 = Stats.median(perRepeat[2]);
                    double r99 = Stats.median(perRepeat[3]);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("directP50", d50);
                    m.put("relayP50", r50);
                    m.put("addedP50", Stats.median(added50));
                    m.put("ratioP50", r50 / d50);
                    m.put("directP99", d99);
                    m.put("relayP99", r99);
                    m.put("addedP99", Stats.median(added99));
                    m.put("ratioP99", r99 / d99);
                    m.put("addedP50PerRepeat", added50);
                    m.put("addedP99PerRepeat", added99);
                    m.put("samples", values(samples, target, c, -1, metric).size());
                    row.put(metric, m);
                    table.append(String.format(Locale.ROOT, "%-5d %-11s %9.3f %9.3f %9.3f %6.1f | %9.3f %9.3f %9.3f %6.1f%n",
                            c, metric, d50, r50, Stats.median(added50), r50 / d50, d99, r99, Stats.median(added99), r99 / d99));
                }
                Map<String, Object> counts = counts(samples, target, c, chunks);
                row.put("relay", counts);
                row.put("direct", counts(samples, DIRECT, c, chunks));
                relayHeld += ((Number) counts.get("heldBack")).longValue();
                rows.add(row);
            }
            table.append(String.format("%-5s %-34s %-34s%n", "conc", "relay: held back / coalesced", "direct: held back / coalesced"));
            for (Map<String, Object> row : rows) {
                table.append(String.format("%-5s %-34s %-34s%n", row.get("concurrency"),
                        describe(row.get("relay")), describe(row.get("direct"))));
            }
            perBuild.put(label, rows);
            if (stages) {
                stageTables.put(label, stageTable(samples, target, levels, repeats, table, label));
            }
        }
        for (int t = 0; t <= builds.size(); t++) {
            int target = t;
            allValid &= samples.stream().noneMatch(s -> s.target() == target && !s.valid());
        }
        System.out.print(table);
        root.put("builds", perBuild);
        root.put("stages", stageTables);
        root.put("stageSpans", SPANS.stream().map(sp -> Map.of("name", sp.name(), "from", sp.from(), "to", sp.to(),
                "owner", sp.owner())).toList());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("allValid", allValid);
        summary.put("relayHeldBackChunks", relayHeld);
        root.put("summary", summary);
        root.put("table", table.toString());
        root.put("heldBackChunks", new ArrayList<>(heldBackLog));
        return root;
    }

    private static Map<String, Object> counts(List<Sample> samples, int target, int c, int chunks) {
        Map<String, Object> counts = new LinkedHashMap<>();
        List<Sample> mine = samples.stream().filter(s -> s.target() == target && s.concurrency() == c).toList();
        counts.put("requests", mine.size());
        counts.put("failed", mine.stream().filter(s -> !s.valid()).count());
        counts.put("chunksJudged", mine.stream().filter(Sample::valid).count() * Math.max(0, chunks - 1));
        counts.put("heldBack", mine.stream().mapToInt(Sample::heldBack).sum());
        counts.put("coalescedReads", mine.stream().mapToInt(Sample::coalesced).sum());
        counts.put("errors", mine.stream().filter(s -> s.error() != null).map(Sample::error).distinct().limit(5).toList());
        return counts;
    }

    private static String describe(Object countsObject) {
        @SuppressWarnings("unchecked")
        Map<String, Object> counts = (Map<String, Object>) countsObject;
        long failed = ((Number) counts.get("failed")).longValue();
        return counts.get("heldBack") + " / " + counts.get("coalescedReads") + " of " + counts.get("chunksJudged")
                + (failed > 0 ? " (" + failed + " failed)" : "");
    }

    /** repeat -1: all repeats. */
    private static List<Double> values(List<Sample> samples, int target, int c, int repeat, String metric) {
        List<Double> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.target() != target || s.concurrency() != c || !s.valid() || (repeat >= 0 && s.repeat() != repeat)) {
                continue;
            }
            switch (metric) {
                case "ttfb" -> out.add(s.ttfbMs());
                case "firstEvent" -> out.add(s.firstEventMs());
                default -> {
                    for (double d : s.chunkDelayMs()) {
                        out.add(d);
                    }
                }
            }
        }
        return out;
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.llmrelay.bench;

import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * Cold start as whole processes: the Lambda package unzipped, {@code relay-wrapper} started with
 * the managed java runtime's command line and reserved environment (as LambdaPackageIT does),
 * against the relay's own in-process Runtime API ({@link LocalRuntimeApi}) in this process.
 *
 * <p>The invocation is queued before the process starts, as on an on-demand cold start (the
 * request is what started the environment). Times, from just before the process is spawned:
 * <ul>
 *   <li>{@code firstNext}: the runtime's first {@code GET next} took the invocation (init done);
 *   <li>{@code upstreamRequest}: the relay's request reached the loopback upstream (event parsed,
 *       caller checked, route chosen, key resolved, HTTP client built and connected);
 *   <li>{@code firstByte}: the first byte of the streamed {@code /response} body (the Function URL
 *       prelude, which the relay sends together with the first SSE event);
 *   <li>{@code firstEvent}: that first SSE event complete.
 * </ul>
 * Variants: {@code env} (upstream key {@code env:}), {@code kms} ({@code kms:} ciphertext,
 * decrypted with KMS Decrypt against moto_server on 127.0.0.1) and {@code bedrock} (a {@code bedrock}
 * route, its requests SigV4-signed with credentials from the environment, as Lambda gives the role's,
 * to a loopback upstream that answers ConverseStream frames: {@link UpstreamWire#BEDROCK}), {@code tls-env}
 * and {@code tls-kms} (the route's upstream is HTTPS, {@link TlsUpstream}, HTTP/2 unless {@code --tls-mode h1};
 * the function trusts its self-signed certificate through {@code -Djavax.net.ssl.trustStore} on its command
 * line, a copy of the JDK's cacerts plus that certificate: {@link BenchTrust}, so the first byte includes
 * the TCP connect and the TLS handshake); {@code env}
 * and {@code kms} also as SnapStart
 * ({@code snap-env}, {@code snap-kms}): the function starts with
 * {@code AWS_LAMBDA_INITIALIZATION_TYPE=snap-start}, runs init and its priming, and calls
 * {@code GET restore/next}, which this Runtime API holds (the snapshot would be taken there). Then
 * the invocation is queued and {@code restore/next} answered, as a restore would; every time of a
 * snap variant is measured from that answer ({@code snapshot} is spawn to {@code restore/next}: init
 * and priming, off the caller's path). The process is the one that ran init, not one restored from a
 * snapshot, so a real restore adds loading the snapshot's memory on top.
 */
final class ColdStartBench {
    private static final String HANDLER = "io.llmrelay.app.LambdaHandler";
    private static final String ROUTE = "bench";
    private static final String UPSTREAM_KEY = "sk-bench-upstream-key-not-a-secret";

    private final Args args;
    /** --keep-class-log DIR: the last run's -Xlog:class+load file per variant, for finding what init loads. */
    private Path keepClassLog;
    /** --cpus LIST: run the function under taskset (e.g. 0: one CPU). */
    private String cpus = "";
    /** --tls-mode h2|h1: what the tls-* variants' upstream offers by ALPN (h2: as api.openai.com does). */
    private TlsUpstream.Mode tlsMode = TlsUpstream.Mode.H2;
    /** The current setup's extra environment variable (NAME=VALUE), or "". */
    private String setupEnv = "";
    /** The bedrock variant's upstream, speaking event-stream frames; null unless that variant runs. */
    private ScheduledUpstream bedrockUpstream;
    /** The tls-* variants' HTTPS upstream and the trust store the function gets for it; null unless they run. */
    private TlsUpstream tlsUpstream;
    private BenchTrust trust;

    ColdStartBench(Args args) {
        this.args = args;
    }

    private record Run(String setup, String variant, double firstNext, double upstreamRequest, double firstByte,
            double firstEvent, int classesLoaded, int classesShared, double snapshot, String error) {
        Run labelled(String label) {
            return new Run(label, variant, firstNext, upstreamRequest, firstByte, firstEvent, classesLoaded,
                    classesShared, snapshot, error);
        }
    }

    /**
     * One way of starting the function: a package, its layout, extra JVM options (through
     * {@code JAVA_TOOL_OPTIONS}, which the wrapper leaves alone) and an optional training run
     * (e.g. dumping a class-data archive) before the measured runs. {@code {root}} in options
     * stands for the unzipped package's directory ({@code /var/task} on Lambda).
     */
    record Setup(String label, Path zip, String layout, String toolOptions, String trainOptions, String env) {
        /**
         * {@code label,zip=PATH[,layout=zip|jar][,jto=OPTIONS][,train=OPTIONS][,env=NAME=VALUE]}; setups
         * separated by ';'. {@code env}: one variable for the function's environment (e.g.
         * {@code RELAY_PREWARM_TLS=off}: one zip measured with and without a switch, side by side).
         */
        static List<Setup> parse(String spec, Path defaultZip, String defaultLayout, String defaultJto) {
            List<Setup> setups = new ArrayList<>();
            for (String one : spec.split(";")) {
                String[] fields = one.split(",");
                Map<String, String> kv = new LinkedHashMap<>();
                for (int i = 1; i < fields.length; i++) {
                    int eq = fields[i].indexOf('=');
                    if (eq < 0) {
                        throw new IllegalArgumentException("setup field without '=': " + fields[i]);
                    }
                    kv.put(fields[i].substring(0, eq).trim(), fields[i].substring(eq + 1).trim());
                }
                setups.add(new Setup(fields[0].trim(), Path.of(kv.getOrDefault("zip", defaultZip.toString())),
                        kv.getOrDefault("layout", defaultLayout), kv.getOrDefault("jto", defaultJto),
                        kv.getOrDefault("train", ""), kv.getOrDefault("env", "")));
            }
            return setups;
        }

        String tool(Path root) {
            return toolOptions.replace("{root}", root.toString());
        }
    }

    int run() throws Exception {
        Path zip = Path.of(args.get("zip", "target/llm-relay-lambda.zip"));
        String java = args.get("java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int runs = args.integer("runs", 10);
        List<String> variants = List.of(args.get("variants", "env,kms,snap-env,snap-kms").split(","));
        String layout = args.get("layout", "zip");
        String toolOptions = args.get("java-tool-options", "");
        List<Setup> setups = Setup.parse(args.get("setups", "relay"), zip, layout, toolOptions);
        boolean classLog = args.flag("class-log");
        cpus = args.get("cpus", "");
        tlsMode = TlsUpstream.Mode.parse(args.get("tls-mode", "h2"));
        String keep = args.get("keep-class-log", "");
        keepClassLog = keep.isEmpty() ? null : Path.of(keep);
        Path out = Path.of(args.get("out", "bench/results/coldstart.json"));
        args.requireAllKnown();
        for (Setup setup : setups) {
            if (!Files.isRegularFile(setup.zip())) {
                throw new IllegalArgumentException(setup.zip() + " does not exist: build it with `mvn -B -q package"
                        + " -DskipTests` or point --zip at it");
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Map<String, Path> roots = new LinkedHashMap<>();
        MotoServer moto = null;
        try (ScheduledUpstream upstream = new ScheduledUpstream(3, 20, 0)) {
            if (variants.contains("bedrock")) {
                bedrockUpstream = new ScheduledUpstream(UpstreamWire.BEDROCK, 3, 20, 0);
            }
            if (variants.stream().anyMatch(v -> v.contains("tls-"))) {
                trust = BenchTrust.create(Path.of(java).toAbsolutePath().getParent().getParent());
                tlsUpstream = new TlsUpstream(tlsMode, trust, 3, 20, 0);
                System.out.printf("coldstart: tls-* variants: %s upstream at %s%n", tlsMode.label(), tlsUpstream.baseUrl());
            }
            for (Setup setup : setups) {
                Path root = Files.createTempDirectory("llm-relay-coldstart-" + setup.label() + "-");
                roots.put(setup.label(), root);
                unzip(setup.zip(), root);
                if (setup.layout().equals("jar")) {
                    classesIntoJar(root);
                } else if (!setup.layout().equals("zip")) {
                    throw new IllegalArgumentException("layout is zip or jar");
                }
            }
            String kmsReference = null;
            if (variants.stream().anyMatch(v -> v.endsWith("kms"))) {
                moto = MotoServer.start();
                kmsReference = moto.encrypt(UPSTREAM_KEY, ROUTE);
            }
            System.out.printf("coldstart: java %s, %d runs of %s, setups:%n", java, runs, variants);
            for (Setup setup : setups) {
                System.out.printf("  %s%n", setup);
            }
            for (Setup setup : setups) {
                Path root = roots.get(setup.label());
                setupEnv = setup.env();
                if (!setup.trainOptions().isEmpty()) {
                    // A training run whose JVM writes a class-data archive or AOT cache at exit.
                    String training = setup.trainOptions().replace("{root}", root.toString());
                    // The kms variant's path is a superset of env's: train on it when it is measured.
                    String trainOn = variants.contains("tls-kms") ? "tls-kms" : variants.contains("kms") ? "kms"
                            : variants.getFirst();
                    Run r = once(java, root, upstream, trainOn, kmsReference, moto, training, false);
                    System.out.printf("%s: training run (%s): %s%n", setup.label(), training,
                            r.error() == null ? "ok" : "FAILED " + r.error());
                    try (Stream<Path> files = Files.list(root)) {
                        for (Path f : files.filter(f -> f.toString().endsWith(".jsa") || f.toString().endsWith(".aot"))
                                .toList()) {
                            System.out.printf("%s: %s is %,d bytes%n", setup.label(), f.getFileName(), Files.size(f));
                        }
                    }
                }
                // One discarded run warms this process's side (Jetty, the upstream) and the page cache.
                Run warm = once(java, root, upstream, variants.getFirst(), kmsReference, moto, setup.tool(root), false);
                if (warm.error() != null) {
                    System.out.println(setup.label() + ": warm-up run FAILED: " + warm.error());
                    return 1;
                }
            }
            List<Run> results = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                // Interleaved: on a busy machine, drift then hits every setup alike.
                for (Setup setup : setups) {
                    for (String variant : variants) {
                        Path root = roots.get(setup.label());
                        setupEnv = setup.env();
                        Run r = once(java, root, upstream, variant, kmsReference, moto, setup.tool(root), classLog)
                                .labelled(setup.label());
                        setupEnv = "";
                        results.add(r);
                        if (r.error() != null) {
                            System.out.println("run " + (i + 1) + " " + setup.label() + " " + variant + " FAILED: " + r.error());
                        }
                    }
                }
            }
            Map<String, Object> report = report(results, setups, variants, java, runs);
            Files.writeString(out, JsonWriter.write(report));
            System.out.println("figures written to " + out);
            return results.stream().allMatch(r -> r.error() == null) ? 0 : 1;
        } finally {
            if (moto != null) {
                moto.close();
            }
            if (bedrockUpstream != null) {
                bedrockUpstream.close();
            }
            if (tlsUpstream != null) {
                tlsUpstream.close();
            }
            if (trust != null) {
                trust.close();
            }
            for (Path root : roots.values()) {
                try (Stream<Path> files = Files.walk(root)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /**
     * One cold start, against a Runtime API of its own: a killed process leaves its long-polling
     * {@code next} behind in the Runtime API, which would swallow the next run's invocation.
     */
    private Run once(String java, Path root, BenchUpstream upstream, String variant,
            String kmsReference, MotoServer moto, String toolOptions, boolean classLog) throws Exception {
        try (LocalRuntimeApi api = LocalRuntimeApi.start()) {
            return once(java, root, api, upstream, variant, kmsReference, moto, toolOptions, classLog);
        }
    }

    private Run once(String java, Path root, LocalRuntimeApi api, BenchUpstream upstream, String variant,
            String kmsReference, MotoServer moto, String toolOptions, boolean classLog) throws Exception {
        String tag = "cold-" + System.nanoTime();
        boolean bedrock = variant.equals("bedrock");
        if (bedrock) {
            upstream = bedrockUpstream;
        }
        boolean tls = variant.contains("tls-"); // tls-env, tls-kms, snap-tls-env, snap-tls-kms
        if (tls) {
            upstream = tlsUpstream;
        }
        String apiKey = variant.endsWith("kms") ? "kms:" + kmsReference : "env:BENCH_UPSTREAM_KEY";
        boolean snapStart = variant.startsWith("snap-");
        String route = bedrock ? UpstreamWire.BEDROCK.route(bedrockUpstream.port()) : """
                {"name":"%s","baseUrl":"%s","apiKey":"%s","models":["bench-model"],"default":true}"""
                .formatted(ROUTE, upstream.baseUrl(), apiKey);
        String config = """
                {"callers":[{"name":"bench","keySha256":"%s"}],
                 "routes":[%s]}
                """.formatted(LatencyBench.sha256Hex(LatencyBench.CALLER_KEY), route);
        Path classLogFile = classLog ? Files.createTempFile("coldstart-classes", ".log") : null;
        List<String> command = new ArrayList<>();
        if (!cpus.isEmpty()) {
            command.addAll(List.of("taskset", "-c", cpus)); // e.g. one CPU, as a Lambda of up to 1769 MB has
        }
        command.addAll(List.of(
                root.resolve("relay-wrapper").toString(), java,
                // The managed java25 runtime's command line (see src/lambda/relay-wrapper), minus its agent.
                "-XX:MaxHeapSize=445645k", "-XX:+UseSerialGC", "-Xshare:auto",
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"));
        if (tls) {
            command.addAll(trust.relayJvmOptions()); // the bench's trust store: cacerts plus the upstream's certificate
        }
        if (classLogFile != null) {
            command.add("-Xlog:class+load=info:file=" + classLogFile + ":uptimenanos,tid");
        }
        command.addAll(List.of(
                "-classpath", "/var/runtime/lib/aws-lambda-java-core.jar:/var/runtime/lib/runtime.jar",
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", HANDLER));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> env = builder.environment();
        env.clear(); // Lambda gives a function its own environment
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("TZ", ":UTC");
        env.put("LAMBDA_TASK_ROOT", root.toString());
        env.put("_HANDLER", HANDLER);
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "llm-relay");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", snapStart ? "snap-start" : "on-demand");
        env.put("AWS_REGION", "us-east-1");
        env.put("RELAY_CONFIG", config);
        env.put("BENCH_UPSTREAM_KEY", UPSTREAM_KEY);
        if (moto != null) {
            env.put("AWS_ENDPOINT_URL", moto.endpoint());
            env.put("AWS_ACCESS_KEY_ID", "testing");
            env.put("AWS_SECRET_ACCESS_KEY", "testing");
        }
        if (bedrock) {
            env.putAll(UpstreamWire.AWS_ENV); // the role's credentials, as Lambda puts them in the environment
        }
        if (!toolOptions.isEmpty()) {
            env.put("JAVA_TOOL_OPTIONS", toolOptions);
        }
        if (setupEnv.contains("=")) {
            env.put(setupEnv.substring(0, setupEnv.indexOf('=')), setupEnv.substring(setupEnv.indexOf('=') + 1));
        }
        Path log = Files.createTempFile("coldstart-function", ".log");
        builder.directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());

        if (snapStart) {
            api.holdRestore();
        }
        long spawned = System.nanoTime();
        PendingInvocation invocation = snapStart ? null : api.submit(event(tag), 60_000);
        long start = spawned;
        double snapshot = Double.NaN;
        Process process = builder.start();
        try {
            if (snapStart) {
                // Init and priming run; the "snapshot" is taken while restore/next waits.
                try {
                    api.restoreRequested().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    return failed(variant, "no restore/next within 60 s", log);
                }
                snapshot = Stats.ms(System.nanoTime() - spawned);
                invocation = api.submit(event(tag), 60_000);
                start = System.nanoTime();
                api.restore();
            }
            PendingInvocation.Result result;
            try {
                result = invocation.result().get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return failed(variant, "no response within 60 s (first next "
                        + (invocation.deliveredNanos() == 0 ? "never came" : "came") + ")", log);
            }
            if (!(result instanceof PendingInvocation.Streamed streamed)) {
                return failed(variant, "the function answered /error: " + result, log);
            }
            InputStream body = streamed.body();
            int first = body.read();
            long firstByte = System.nanoTime();
            if (first == -1) {
                return failed(variant, "empty response", log);
            }
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            seen.write(first);
            long firstEvent = 0;
            for (int b = body.read(); b != -1; b = body.read()) {
                seen.write(b);
                if (firstEvent == 0 && b == '\n' && endsWithBlankLine(seen.toByteArray())) {
                    firstEvent = System.nanoTime();
                }
            }
            PendingInvocation.StreamEnd end = streamed.completion().get(30, TimeUnit.SECONDS);
            String text = seen.toString(StandardCharsets.UTF_8);
            if (!end.succeeded() || !text.contains("\"statusCode\":200") || !text.contains("data: [DONE]")) {
                return failed(variant, "unexpected response: " + end + " " + text.replace('\0', '.'), log);
            }
            AtomicLongArray sent = upstream.sentTimes(tag);
            upstream.forget(tag);
            int[] classes = classLogFile != null ? countClasses(classLogFile) : new int[] {0, 0};
            return new Run("", variant, Stats.ms(invocation.deliveredNanos() - start),
                    sent == null ? Double.NaN : Stats.ms(sent.get(0) - start),
                    Stats.ms(firstByte - start), Stats.ms(firstEvent - start), classes[0], classes[1], snapshot, null);
        } finally {
            process.destroy();
            // Generous: a training run's JVM writes its archive (an AOT cache: a second JVM) on the way out.
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(log);
            if (classLogFile != null) {
                if (keepClassLog != null) {
                    Files.createDirectories(keepClassLog);
                    Files.copy(classLogFile, keepClassLog.resolve(root.getFileName() + "-" + variant + "-classes.log"),
                            StandardCopyOption.REPLACE_EXISTING);
                }
                Files.deleteIfExists(classLogFile);
            }
        }
    }

    private static Run failed(String variant, String why, Path log) throws IOException {
        return new Run("", variant, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 0, Double.NaN,
                why + "\n--- function output ---\n" + Files.readString(log));
    }

    private static boolean endsWithBlankLine(byte[] b) {
        int n = b.length;
        // The first "\n\n" after the prelude's 8 NULs ends the first SSE event.
        return n >= 2 && b[n - 2] == '\n' && indexOfNul(b) >= 0;
    }

    private static int indexOfNul(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    /** {total, from the CDS archive} classes in a -Xlog:class+load file. */
    private static int[] countClasses(Path file) throws IOException {
        int total = 0;
        int shared = 0;
        for (String line : Files.readAllLines(file)) {
            if (line.contains(" source: ")) {
                total++;
                if (line.contains("shared objects file")) {
                    shared++;
                }
            }
        }
        return new int[] {total, shared};
    }

    /**
     * A Function URL event (payload 2.0) for a streamed chat completion, as Lambda delivers it. The tag
     * is in {@code user} and in the message (a bedrock route drops {@code user}).
     */
    static byte[] event(String tag) {
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"user\":\"" + tag
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something. " + tag + "\"}]}";
        String escaped = body.replace("\\", "\\\\").replace("\"", "\\\"");
        long now = System.currentTimeMillis();
        return ("""
                {"version":"2.0","routeKey":"$default","rawPath":"/v1/chat/completions","rawQueryString":"",
                 "headers":{"authorization":"Bearer %s","content-type":"application/json","accept":"text/event-stream",
                  "host":"abcdefghij.lambda-url.us-east-1.on.aws","user-agent":"bench","x-forwarded-proto":"https"},
                 "requestContext":{"accountId":"anonymous","apiId":"abcdefghij",
                  "domainName":"abcdefghij.lambda-url.us-east-1.on.aws","domainPrefix":"abcdefghij",
                  "http":{"method":"POST","path":"/v1/chat/completions","protocol":"HTTP/1.1",
                   "sourceIp":"203.0.113.42","userAgent":"bench"},
                  "requestId":"%s","routeKey":"$default","stage":"$default","time":"01/Jan/2026:00:00:00 +0000",
                  "timeEpoch":%d},
                 "body":"%s","isBase64Encoded":false}
                """.formatted(LatencyBench.CALLER_KEY, tag, now, escaped)).getBytes(StandardCharsets.UTF_8);
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(archive.entries())) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = archive.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                // As unzip does: a class-data archive checks its jars' modification times.
                Files.setLastModifiedTime(target, entry.getLastModifiedTime());
            }
        }
        // The zip stores relay-wrapper as 0755 (LambdaPackageIT checks that unzip keeps it).
        Files.setPosixFilePermissions(into.resolve("relay-wrapper"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The layout a class-data archive needs (see README "Performance"): the relay's classes in
     * lib/llm-relay-classes.jar instead of loose at the root, and a wrapper whose class path is
     * only {@code lib/*} (CDS refuses a non-empty directory on the class path).
     */
    private static void classesIntoJar(Path root) throws IOException, InterruptedException {
        Path jar = root.resolve("lib/llm-relay-classes.jar");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jar").toString(),
                "--create", "--file", jar.toString(), "-C", root.toString(), "io")
                .inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("jar failed");
        }
        try (Stream<Path> files = Files.walk(root.resolve("io"))) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
        try (Stream<Path> files = Files.list(root)) {
            for (Path f : files.toList()) {
                if (f.getFileName().toString().endsWith(".properties")) {
                    Files.move(f, root.resolve("lib").resolve(f.getFileName())); // resources ride along
                }
            }
        }
        Path wrapper = root.resolve("relay-wrapper");
        String text = Files.readString(wrapper);
        String patched = text.replace("-cp \"$ROOT:$ROOT/lib/*\"", "-cp \"$ROOT/lib/*\"");
        if (patched.equals(text)) {
            throw new IOException("relay-wrapper's class path line changed; update classesIntoJar");
        }
        Files.writeString(wrapper, patched);
    }

    private Map<String, Object> report(List<Run> results, List<Setup> setups, List<String> variants, String java,
            int runs) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> setup = new LinkedHashMap<>();
        setup.put("date", Instant.now().toString());
        setup.put("java", java);
        setup.put("javaVersion", System.getProperty("java.version"));
        setup.put("runs", runs);
        setup.put("cpus", cpus.isEmpty() ? "all" : "taskset -c " + cpus);
        setup.put("flags", "-XX:MaxHeapSize=445645k -XX:+UseSerialGC -Xshare:auto -XX:+TieredCompilation "
                + "-XX:TieredStopAtLevel=1 (the managed java25 runtime's, through relay-wrapper)");
        setup.put("method", "Times from just before spawning relay-wrapper: firstNext = the runtime's first GET next "
                + "took the (already queued) invocation; upstreamRequest = the relay's request reached the loopback "
                + "upstream; firstByte = first byte of the streamed /response body; medians over the runs, setups "
                + "and variants interleaved. snap-* variants: AWS_LAMBDA_INITIALIZATION_TYPE=snap-start, every time "
                + "from the moment the held GET restore/next was answered (the restore), the invocation queued just "
                + "before; snapshot = spawn to restore/next (init and priming); the process is not really restored "
                + "from a snapshot.");
        List<Map<String, Object>> setupList = new ArrayList<>();
        for (Setup s : setups) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("label", s.label());
            m.put("zip", s.zip().toAbsolutePath().toString());
            m.put("layout", s.layout());
            m.put("javaToolOptions", s.toolOptions());
            m.put("training", s.trainOptions());
            m.put("env", s.env());
            setupList.add(m);
        }
        setup.put("setups", setupList);
        root.put("setup", setup);
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%n%-14s %-8s %5s %10s %12s %10s %11s %8s %8s %9s%n", "setup", "variant", "runs", "firstNext",
                "upstreamReq", "firstByte", "firstEvent", "classes", "(CDS)", "snapshot"));
        Map<String, Object> bySetup = new LinkedHashMap<>();
        for (Setup s : setups) {
            Map<String, Object> byVariant = new LinkedHashMap<>();
            for (String variant : variants) {
                List<Run> mine = results.stream()
                        .filter(r -> r.setup().equals(s.label()) && r.variant().equals(variant) && r.error() == null)
                        .toList();
                Map<String, Object> v = new LinkedHashMap<>();
                double next = Stats.median(mine.stream().map(Run::firstNext).toList());
                double upstreamRequest = Stats.median(mine.stream().map(Run::upstreamRequest).toList());
                double byteMs = Stats.median(mine.stream().map(Run::firstByte).toList());
                double eventMs = Stats.median(mine.stream().map(Run::firstEvent).toList());
                double classes = Stats.median(mine.stream().map(r -> (double) r.classesLoaded()).toList());
                double shared = Stats.median(mine.stream().map(r -> (double) r.classesShared()).toList());
                double snapshot = Stats.median(mine.stream().map(Run::snapshot).toList());
                v.put("runs", mine.size());
                v.put("failed", results.stream().filter(r -> r.setup().equals(s.label()) && r.variant().equals(variant)
                        && r.error() != null).count());
                v.put("firstNextMedianMs", next);
                v.put("upstreamRequestMedianMs", upstreamRequest);
                v.put("firstByteMedianMs", byteMs);
                v.put("firstEventMedianMs", eventMs);
                v.put("classesLoadedMedian", classes);
                v.put("classesFromCdsMedian", shared);
                v.put("snapshotMedianMs", snapshot);
                v.put("firstNextMs", mine.stream().map(Run::firstNext).toList());
                v.put("firstByteMs", mine.stream().map(Run::firstByte).toList());
                byVariant.put(variant, v);
                table.append(String.format(Locale.ROOT, "%-14s %-8s %5d %10.1f %12.1f %10.1f %11.1f %8.0f %8.0f %9.1f%n",
                        s.label(), variant, mine.size(), next, upstreamRequest, byteMs, eventMs, classes, shared, snapshot));
            }
            bySetup.put(s.label(), byVariant);
        }
        System.out.print(table);
        root.put("setups", bySetup);
        root.put("table", table.toString());
        root.put("errors", results.stream().filter(r -> r.error() != null).map(Run::error).limit(3).toList());
        return root;
    }

    /** moto_server on a free 127.0.0.1 port, with one KMS key for the relay's ciphertexts. */
    private static final class MotoServer implements AutoCloseable {
        private final Process process;
        private final String endpoint;

        private MotoServer(Process process, String endpoint) {
            this.process = process;
            this.endpoint = endpoint;
        }

        static MotoServer start() throws IOException, InterruptedException {
            String binary = findMoto();
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Process p = new ProcessBuilder(binary, "-H", "127.0.0.1", "-p", Integer.toString(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
            MotoServer moto = new MotoServer(p, "http://127.0.0.1:" + port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try {
                    HttpURLConnection c = (HttpURLConnection) URI.create(moto.endpoint + "/moto-api/").toURL().openConnection();
                    c.setConnectTimeout(500);
                    c.setReadTimeout(2000);
                    if (c.getResponseCode() == 200) {
                        return moto;
                    }
                } catch (IOException notYet) {
                    // starting
                }
                if (!p.isAlive()) {
                    throw new IOException("moto_server exited with " + p.exitValue());
                }
                Thread.sleep(100);
            }
            moto.close();
            throw new IOException("moto_server did not start within 30 s");
        }

        private static String findMoto() {
            for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/root/.pyenv/shims:/root/.pyenv/versions/3.11.7/bin")
                    .split(":")) {
                Path candidate = Path.of(dir.isEmpty() ? "." : dir, "moto_server");
                if (Files.isExecutable(candidate)) {
                    return candidate.toString();
                }
            }
            throw new IllegalStateException("moto_server not found (pip install 'moto[server]'); "
                    + "run with --variants env to skip the KMS variant");
        }

        String endpoint() {
            return endpoint;
        }

        /** A kms: reference for {@code plaintext} bound to {@code route}, as `encrypt-key` makes one. */
        String encrypt(String plaintext, String route) {
            try (KmsClient kms = KmsClient.builder()
                    .endpointOverride(URI.create(endpoint))
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing")))
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build()) {
                String keyId = kms.createKey(b -> b.description("llm-relay bench")).keyMetadata().keyId();
                SdkBytes blob = kms.encrypt(b -> b.keyId(keyId)
                        .plaintext(SdkBytes.fromUtf8String(plaintext))
                        .encryptionContext(Map.of("llm-relay:route", route))).ciphertextBlob();
                return Base64.getEncoder().encodeToString(blob.asByteArray());
            }
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

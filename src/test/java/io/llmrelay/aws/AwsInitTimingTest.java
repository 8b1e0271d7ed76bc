package io.llmrelay.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmrelay.cli.EncryptKeyCommand;
import io.llmrelay.testing.MotoServer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Measures cold-start cost of the AWS clients, eager (built during init) against lazy (built by
 * the first request), in fresh JVMs with Lambda's JVM flags, one CPU, against moto. In the normal
 * suite it runs each mode once, which checks that every mode gets its key from a fresh JVM; for
 * figures worth reading, ask for more runs:
 *
 * <pre>
 * JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 mvn -B -q test -Dtest=AwsInitTimingTest -Drelay.measureInit.runs=9
 * </pre>
 *
 * Per run: init = JVM start to "ready" (Lambda's init phase), first key = request to key in hand
 * (inside the first invocation), total = both (what the first caller of a cold function waits).
 */
class AwsInitTimingTest {
    // What Lambda's java21/java25 runtimes pass (see src/lambda/relay-wrapper), on one CPU.
    private static final List<String> LAMBDA_JVM = List.of(
            "-XX:+UseSerialGC", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:ActiveProcessorCount=1");

    @Test
    void eagerVersusLazyClientCreation() throws Exception {
        int runs = Integer.getInteger("relay.measureInit.runs", 1);
        try (MotoServer moto = MotoServer.start(); AwsClients admin = new AwsClients(moto.settings())) {
            String keyId = admin.kms().createKey(b -> b.description("timing")).keyMetadata().keyId();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = EncryptKeyCommand.run(new String[] {"--kms-key-id", keyId, "--route", "openai"},
                    new ByteArrayInputStream("sk-timing".getBytes(StandardCharsets.UTF_8)),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()),
                    Map.of(), admin::kms);
            assertEquals(0, exit);
            String kmsRef = out.toString(StandardCharsets.UTF_8).strip();
            admin.secretsManager().createSecret(b -> b.name("llm-relay/timing").secretString("sk-timing"));
            String secretRef = "secretsmanager:llm-relay/timing";

            Map<String, String> env = ChildJvm.awsEnvironment(Map.of(
                    "AWS_ENDPOINT_URL", moto.endpoint().toString(), "TIMING_KEY", "sk-timing"));
            Map<String, String[]> modes = new LinkedHashMap<>();
            modes.put("lazy, env: key (no AWS client)", new String[] {"lazy", "openai", "env:TIMING_KEY"});
            modes.put("lazy, kms: key", new String[] {"lazy", "openai", kmsRef});
            modes.put("eager, kms: key", new String[] {"eager", "openai", kmsRef});
            modes.put("lazy, secretsmanager: key", new String[] {"lazy", "openai", secretRef});
            modes.put("eager, secretsmanager: key", new String[] {"eager", "openai", secretRef});

            Map<String, List<long[]>> samples = new LinkedHashMap<>();
            modes.keySet().forEach(m -> samples.put(m, new ArrayList<>()));
            for (String mode : modes.keySet()) {
                once(env, modes.get(mode)); // warm the OS file cache; not counted
            }
            for (int i = 0; i < runs; i++) {
                for (Map.Entry<String, String[]> mode : modes.entrySet()) { // interleaved: drift hits all alike
                    samples.get(mode.getKey()).add(once(env, mode.getValue()));
                }
            }
            StringBuilder table = new StringBuilder(String.format(
                    "%nAWS client creation, median of %d fresh JVMs (%s, %s):%n%-34s %8s %10s %8s%n",
                    runs, System.getProperty("java.vm.version"), String.join(" ", LAMBDA_JVM),
                    "mode", "init ms", "1st key ms", "total ms"));
            for (Map.Entry<String, List<long[]>> mode : samples.entrySet()) {
                table.append(String.format("%-34s %8d %10d %8d%n", mode.getKey(),
                        median(mode.getValue(), 0), median(mode.getValue(), 1), median(mode.getValue(), 2)));
            }
            System.out.print(table);
            Path report = Path.of(System.getProperty("relay.measureInit.out", "/tmp/aws-init-timing.txt"));
            Files.writeString(report, table.toString());
        }
    }

    /** @return {init ms, first key ms, total ms} */
    private static long[] once(Map<String, String> env, String[] args) throws Exception {
        List<String> command = new ArrayList<>(ChildJvm.builder(FirstKeyProbe.class, LAMBDA_JVM, env, args).command());
        if (Files.isExecutable(Path.of("/usr/bin/taskset"))) {
            command.addAll(0, List.of("/usr/bin/taskset", "-c", "0"));
        }
        ProcessBuilder builder = ChildJvm.builder(FirstKeyProbe.class, LAMBDA_JVM, env, args).command(command)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        long start = System.nanoTime();
        Process process = builder.start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer stdin = process.outputWriter(StandardCharsets.UTF_8)) {
            String ready = lines.readLine();
            long init = System.nanoTime();
            stdin.write("go\n");
            stdin.flush();
            String key = lines.readLine();
            long done = System.nanoTime();
            if (!"ready".equals(ready) || key == null || !key.startsWith("key ")) {
                throw new AssertionError("probe said " + ready + " / " + key + " for " + Arrays.toString(args));
            }
            return new long[] {ms(init - start), ms(done - init), ms(done - start)};
        } finally {
            process.waitFor(30, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static long median(List<long[]> rows, int column) {
        long[] values = rows.stream().mapToLong(r -> r[column]).sorted().toArray();
        return values[values.length / 2];
    }
}

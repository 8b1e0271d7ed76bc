package io.llmrelay.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import io.llmrelay.testing.ExternalTool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The deployment package run as Lambda runs it: unzipped with its file modes, {@code relay-wrapper}
 * started with the managed java25 runtime's command line and a reserved environment of its own
 * (nothing inherited from the test's), against an in-process Runtime API. One process is one
 * execution environment: invocations run one after another.
 */
final class PackagedFunction implements AutoCloseable {
    static final String HANDLER = "io.llmrelay.app.LambdaHandler";

    private final LocalRuntimeApi api;
    private final Process process;
    private final Path log;

    private PackagedFunction(LocalRuntimeApi api, Process process, Path log) {
        this.api = api;
        this.process = process;
        this.log = log;
    }

    /** The built zip ({@code relay.lambdaZip}, set by failsafe), unzipped into a new temporary directory. */
    static Path unzipPackage() throws Exception {
        Path zip = Path.of(System.getProperty("relay.lambdaZip", "target/llm-relay-lambda.zip"));
        assertTrue(Files.isRegularFile(zip), zip + " is missing: run `mvn verify` (this test needs the package phase)");
        Path target = Files.createTempDirectory("llm-relay-lambda");
        Process extract = new ProcessBuilder(ExternalTool.require("unzip").toString(), "-q", zip.toString(), "-d",
                target.toString()).redirectErrorStream(true).start();
        String output = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(extract.waitFor(60, TimeUnit.SECONDS), "unzip did not finish");
        assertEquals(0, extract.exitValue(), "unzip: " + output);
        return target;
    }

    /**
     * Starts the unzipped package and waits for its first {@code next}.
     *
     * @param environment the function's own variables (RELAY_CONFIG, AWS_SAM_LOCAL, ...), on top of
     *                    the ones Lambda reserves
     */
    static PackagedFunction start(Path unzipped, Map<String, String> environment) throws Exception {
        LocalRuntimeApi api = LocalRuntimeApi.start();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(unzipped.resolve("relay-wrapper").toString(), java,
                "-XX:MaxHeapSize=445645k", "-XX:+UseSerialGC", "-Xshare:auto", "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1", "-classpath", "/var/runtime/lib/aws-lambda-java-core.jar:/var/runtime/lib/runtime.jar",
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", HANDLER);
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("LAMBDA_TASK_ROOT", unzipped.toString());
        env.put("_HANDLER", HANDLER);
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "llm-relay");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_REGION", "us-east-1");
        env.putAll(environment);
        Path log = Files.createTempFile("llm-relay-function", ".log");
        Process process = builder.directory(unzipped.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PackagedFunction function = new PackagedFunction(api, process, log);
        function.awaitNext(60);
        return function;
    }

    /** Submits one event and waits for the function to start its response stream. */
    PendingInvocation.Streamed invoke(byte[] event, String what) throws Exception {
        PendingInvocation.Result result = api.submit(event, 60_000).result().get(60, TimeUnit.SECONDS);
        return assertInstanceOf(PendingInvocation.Streamed.class, result,
                what + ": the function answered with a response stream, not /error: " + result + "\n" + log());
    }

    /** Waits until the function is back in {@code next} (so everything it printed for the last invocation is in the log). */
    void awaitNext(int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (api.idleEnvironments() == 0) {
            if (!process.isAlive()) {
                fail("the function exited with " + process.exitValue() + ":\n" + log());
            }
            if (System.nanoTime() > deadline) {
                fail("no next from the function within " + seconds + " s:\n" + log());
            }
            Thread.sleep(10);
        }
        assertEquals(List.of(), api.initErrors(), "init errors");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        try {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            api.close();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** Removes an unzipped package. */
    static void delete(Path unzipped) throws IOException {
        if (unzipped == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(unzipped)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

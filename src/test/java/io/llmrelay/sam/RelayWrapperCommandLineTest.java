package io.llmrelay.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line {@code src/lambda/relay-wrapper} execs, given the one Lambda's managed runtime
 * passes it: the wrapper runs for real (POSIX sh) with a stand-in {@code java} that prints its
 * arguments, one per line. What it must keep, drop and add is in the wrapper's own header.
 */
class RelayWrapperCommandLineTest {
    private static final Path WRAPPER = Path.of("src/lambda/relay-wrapper");
    private static final String SCALING = "-XX:CompileThresholdScaling=0.05";

    @TempDir
    Path dir;

    /** The managed java25 runtime's command line, shaped as the wrapper's header quotes it. */
    private static List<String> lambdaCommandLine(String... extraOptions) {
        List<String> line = new ArrayList<>(List.of("-XX:MaxHeapSize=445645k", "-XX:+UseSerialGC", "-Xshare:on",
                "-XX:SharedArchiveFile=/var/lang/lib/server/runtime.jsa", "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1", "--add-opens", "java.base/java.io=ALL-UNNAMED"));
        line.addAll(List.of(extraOptions));
        line.addAll(List.of("-classpath", "/var/runtime/lib/aws-lambda-java-core.jar",
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", "io.llmrelay.app.LambdaHandler"));
        return line;
    }

    @Test
    void whereInitRunsAheadOfRequestsTheScalingComesFirstAndLambdasOptionsAreKeptAfterIt() throws Exception {
        for (String type : List.of("snap-start", "provisioned-concurrency")) {
            List<String> expected = new ArrayList<>(List.of(SCALING));
            expected.addAll(keptOptionsAndOurMain());
            assertEquals(expected, run(lambdaCommandLine(), Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", type)), type);
        }
    }

    @Test
    void onDemandInitIsTheFirstCallersWaitSoNothingIsAdded() throws Exception {
        for (Map<String, String> env : List.of(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"), Map.<String, String>of())) {
            assertEquals(keptOptionsAndOurMain(), run(lambdaCommandLine(), env), env.toString());
        }
    }

    @Test
    void anOperatorsOwnScalingInJavaToolOptionsStands() throws Exception {
        List<String> args = run(lambdaCommandLine(), Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start",
                "JAVA_TOOL_OPTIONS", "-XX:CompileThresholdScaling=1.0"));
        assertEquals("-XX:MaxHeapSize=445645k", args.get(0), "no scaling of ours in front: " + args);
    }

    @Test
    void anOperatorsOwnScalingInJdkJavaOptionsStands() throws Exception {
        List<String> args = run(lambdaCommandLine(), Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start",
                "JDK_JAVA_OPTIONS", "-XX:CompileThresholdScaling=0.5"));
        assertEquals("-XX:MaxHeapSize=445645k", args.get(0), "no scaling of ours in front: " + args);
    }

    @Test
    void aScalingOnTheCommandLineIsKeptAndOursLeftOut() throws Exception {
        List<String> args = run(lambdaCommandLine("-XX:CompileThresholdScaling=0.2"),
                Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency"));
        assertEquals(1, args.stream().filter(a -> a.contains("CompileThresholdScaling")).count(), args.toString());
        assertTrue(args.contains("-XX:CompileThresholdScaling=0.2"), args.toString());
    }

    /** Lambda's options less its class-data archive flags, then our class path and main class. */
    private List<String> keptOptionsAndOurMain() {
        return List.of("-XX:MaxHeapSize=445645k", "-XX:+UseSerialGC", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                "--add-opens", "java.base/java.io=ALL-UNNAMED", "-cp", dir + ":" + dir + "/lib/*", "io.llmrelay.cli.Main",
                "lambda");
    }

    /** The arguments the wrapper hands to {@code java}, with {@code env} added to a bare environment. */
    private List<String> run(List<String> lambdaArgs, Map<String, String> env) throws IOException, InterruptedException {
        Path fakeJava = dir.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwx------"));
        List<String> command = new ArrayList<>(List.of("/bin/sh", WRAPPER.toString(), fakeJava.toString()));
        command.addAll(lambdaArgs);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("RELAY_KEEP_LAMBDA_CDS");
        builder.environment().remove("AWS_LAMBDA_INITIALIZATION_TYPE");
        builder.environment().put("LAMBDA_TASK_ROOT", dir.toString());
        builder.environment().put("_HANDLER", "io.llmrelay.app.LambdaHandler");
        builder.environment().putAll(env);
        Process process = builder.redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        assertEquals(0, process.exitValue(), out);
        return out.lines().toList();
    }
}

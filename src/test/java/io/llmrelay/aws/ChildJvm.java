package io.llmrelay.aws;

import io.llmrelay.testing.MotoServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a test main class in a fresh JVM whose environment holds only what a Lambda function
 * would have for AWS (region, access keys, endpoint variables), so the SDK's own environment
 * handling is what gets tested and timed. No ~/.aws files and no instance metadata are consulted.
 */
final class ChildJvm {
    private ChildJvm() {}

    /** {@code AWS_REGION} and moto's fake access keys, plus {@code extra} (e.g. {@code AWS_ENDPOINT_URL}). */
    static Map<String, String> awsEnvironment(Map<String, String> extra) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("AWS_REGION", MotoServer.REGION.id());
        env.put("AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY);
        env.put("AWS_CONFIG_FILE", "/nonexistent/aws-config");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws-credentials");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.putAll(extra);
        return env;
    }

    /**
     * @param jvmOptions e.g. Lambda's {@code -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
     */
    static ProcessBuilder builder(Class<?> main, List<String> jvmOptions, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(testClassPath());
        command.add(main.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_"));
        builder.environment().putAll(env);
        return builder;
    }

    /** Surefire's java.class.path may be a manifest-only booter jar; its real class path is this property. */
    private static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    static String run(ProcessBuilder builder, String stdin) throws IOException, InterruptedException {
        Path err = Files.createTempFile("child-jvm-", ".err");
        try {
            Process process = builder.redirectError(err.toFile()).start();
            process.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("child JVM did not finish");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("child JVM exited " + process.exitValue() + "\nstdout:\n" + out
                        + "\nstderr:\n" + Files.readString(err));
            }
            return out;
        } finally {
            Files.deleteIfExists(err);
        }
    }
}

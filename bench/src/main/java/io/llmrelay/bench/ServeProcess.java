package io.llmrelay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code java <flags> -jar llm-relay.jar serve --port 0 ...} as a child process: the shipped
 * artifact with the managed runtime's JVM flags. Its output goes to a log file; it is stopped
 * (and, if need be, killed) by {@link #close()} and by a shutdown hook.
 */
final class ServeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)");

    /** serve's {@code relay-stages <id> name=nanos ...} lines (io.llmrelay.stages.Stages, -Dllmrelay.stages=true). */
    private static final Pattern STAGES = Pattern.compile("relay-stages (\\S+)((?: \\w+=\\d+)+)");

    private final Process process;
    private final int port;
    private final Map<String, Map<String, Long>> stages;

    private ServeProcess(Process process, int port, Map<String, Map<String, Long>> stages) {
        this.process = process;
        this.port = port;
        this.stages = stages;
    }

    /**
     * The stage times serve printed for invocation {@code requestId} (its frontend's line and its
     * runtime loop's, merged), once it has printed at least {@code names}; waits up to
     * {@code waitMs} for them (both lines come after the response's last byte), then returns what
     * there is. Removes them.
     */
    Map<String, Long> takeStages(String requestId, List<String> names, long waitMs) throws InterruptedException {
        long end = System.nanoTime() + waitMs * 1_000_000;
        while (true) {
            Map<String, Long> marks = stages.get(requestId);
            if ((marks != null && marks.keySet().containsAll(names)) || System.nanoTime() > end) {
                stages.remove(requestId);
                return marks == null ? Map.of() : marks;
            }
            Thread.sleep(1);
        }
    }

    static ServeProcess start(String java, List<String> jvmFlags, Path jar, Path config, int concurrency, Path log)
            throws IOException, InterruptedException {
        return start(java, jvmFlags, jar, config, concurrency, log, Map.of());
    }

    /** @param env variables for serve's environment besides the bench's upstream key (a bedrock route's AWS credentials, {@code RELAY_METRICS=off}) */
    static ServeProcess start(String java, List<String> jvmFlags, Path jar, Path config, int concurrency, Path log,
            Map<String, String> env) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar.toString(), "serve", "--port", "0", "--config", config.toString(),
                "--concurrency", Integer.toString(concurrency)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("BENCH_UPSTREAM_KEY", "sk-bench-upstream-key-not-a-secret");
        builder.environment().putAll(env);
        Process p = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Map<String, Map<String, Long>> stages = new ConcurrentHashMap<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    PrintStream file = new PrintStream(Files.newOutputStream(log), false, StandardCharsets.UTF_8)) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    Matcher s = STAGES.matcher(line);
                    if (s.find()) {
                        Map<String, Long> marks = stages.computeIfAbsent(s.group(1), id -> new ConcurrentHashMap<>());
                        for (String pair : s.group(2).trim().split(" ")) {
                            int eq = pair.indexOf('=');
                            marks.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
                        }
                        continue; // thousands of them: kept out of the log
                    }
                    file.println(line);
                    Matcher m = LISTENING.matcher(line);
                    if (!port.isDone() && m.find()) {
                        file.flush();
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("serve exited before listening; see " + log));
        }, "serve-output");
        drain.setDaemon(true);
        drain.start();
        try {
            return new ServeProcess(p, port.get(60, TimeUnit.SECONDS), stages);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("serve did not start: " + e.getMessage() + " (command: " + command + ", log " + log + ")", e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}

package io.llmrelay.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.ExternalTool;
import io.llmrelay.testing.Jdks;
import io.llmrelay.testing.Shell;
import io.llmrelay.upstream.demo.DemoModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README as a walk-through: every shell block in it is marked, and every runnable one runs,
 * verbatim, in a scratch copy of the checkout (the launcher, pom.xml, the example config, the
 * events and the already-built jar, so nothing is rebuilt). The quick start runs twice, under the
 * two JDK layouts a newcomer meets: an old {@code java} first on PATH with {@code JAVA_HOME} on a
 * JDK 21+, and the reverse. Its one change to what the README says: serve gets {@code --port 0}
 * (a free port, which it prints), and the curl line that port instead of 8080.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ReadmeWalkthroughIT {
    private static final Path BUILT_JAR = Path.of(System.getProperty("relay.jar", "target/llm-relay.jar"));
    private static final Pattern LISTENING = Pattern.compile("Listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path checkout;
    private ReadmeBlocks readme;

    @BeforeEach
    void scratchCheckout() throws Exception {
        readme = ReadmeBlocks.parse(Files.readString(Path.of("README.md")));
        for (String file : List.of("llm-relay", "pom.xml", "relay.example.json", "Makefile")) {
            Files.copy(Path.of(file), checkout.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.createDirectories(checkout.resolve("events"));
        try (Stream<Path> events = Files.list(Path.of("events"))) {
            for (Path event : events.toList()) {
                Files.copy(event, checkout.resolve("events").resolve(event.getFileName()));
            }
        }
        Path jar = checkout.resolve("target/llm-relay.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(BUILT_JAR, jar);
        // As after a build: the jar is newer than the build files, so the launcher does not rebuild.
        Files.setLastModifiedTime(checkout.resolve("pom.xml"), FileTime.from(Instant.now().minusSeconds(3600)));
    }

    private Map<String, String> layout(Path javaFirstOnPath, Path javaHome) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", javaFirstOnPath.resolve("bin") + ":/usr/local/bin:/usr/bin:/bin");
        env.put("JAVA_HOME", javaHome.toString());
        env.put("HOME", checkout.toString());
        env.put("LANG", "C.UTF-8");
        env.put("RELAY_JDK_DIRS", ""); // the layout itself must work, not the /usr/lib/jvm fallback
        env.put("MVN", "/nonexistent/mvn"); // and nothing may be rebuilt
        return env;
    }

    @Test
    void everyShellBlockIsMarkedAndTheCiOnesAreWhatCiRuns() throws Exception {
        List<String> unmarked = readme.of(ReadmeBlocks.Kind.UNMARKED).stream()
                .map(b -> "README.md:" + b.line() + ": " + b.text().strip()).toList();
        assertEquals(List.of(), unmarked, "every shell block says whether and how it runs");
        assertEquals(1, readme.of(ReadmeBlocks.Kind.STARTS_SERVE).size(), "one quick start");
        assertFalse(readme.of(ReadmeBlocks.Kind.WHILE_SERVE_RUNS).isEmpty(), "the quick start has a line to try");
        assertFalse(readme.of(ReadmeBlocks.Kind.RUNNABLE).isEmpty());
        String ci = Files.readString(Path.of(".ci/run"));
        for (ReadmeBlocks.Block block : readme.of(ReadmeBlocks.Kind.CI)) {
            for (String command : block.text().strip().lines().toList()) {
                assertTrue(ci.lines().anyMatch(line -> line.strip().equals(command.strip())),
                        "README.md:" + block.line() + ": .ci/run runs `" + command + "`");
            }
        }
        for (ReadmeBlocks.Block block : readme.of(ReadmeBlocks.Kind.NOT_RUNNABLE)) {
            assertTrue(block.reason().length() > 10, "README.md:" + block.line() + " says why it does not run");
        }
    }

    @Test
    void theMarkersAreReadAsWritten() {
        ReadmeBlocks blocks = ReadmeBlocks.parse("""
                text
                ```sh
                echo unmarked
                ```
                <!-- not runnable: needs an AWS account -->
                   ```bash
                   sam deploy
                   ```
                ```json
                {"not": "a shell block"}
                ```
                """);
        assertEquals(2, blocks.blocks().size());
        assertEquals(ReadmeBlocks.Kind.UNMARKED, blocks.blocks().get(0).kind());
        assertEquals("echo unmarked\n", blocks.blocks().get(0).text());
        assertEquals(ReadmeBlocks.Kind.NOT_RUNNABLE, blocks.blocks().get(1).kind());
        assertEquals("needs an AWS account", blocks.blocks().get(1).reason());
        assertEquals("sam deploy\n", blocks.blocks().get(1).text());
    }

    @Test
    void theQuickStartWorksWithAnOldJavaFirstOnPathAndJavaHomeOnANewOne() throws Exception {
        quickStart(layout(Jdks.older(), Jdks.current()));
    }

    @Test
    void theQuickStartWorksWithANewJavaFirstOnPathAndJavaHomeOnAnOldOne() throws Exception {
        quickStart(layout(Jdks.current(), Jdks.older()));
    }

    @Test
    void everyOtherRunnableBlockRunsAsWritten() throws Exception {
        for (ReadmeBlocks.Block block : readme.of(ReadmeBlocks.Kind.RUNNABLE)) {
            Shell.Result run = Shell.run("set -e\n" + block.text(), checkout, layout(Jdks.older(), Jdks.current()), 60);
            assertEquals(0, run.exit(), "README.md:" + block.line() + ":\n" + block.text() + run.both());
            assertFalse(run.out().isBlank(), "README.md:" + block.line() + " printed something");
            if (block.text().contains("caller-key new")) {
                assertTrue(run.out().lines().anyMatch(l -> l.strip().matches("rk-[A-Za-z0-9_-]{43}")), run.out());
            }
        }
    }

    /** Starts the quick start's serve block, runs each line to try against it, stops it. */
    private void quickStart(Map<String, String> env) throws Exception {
        ExternalTool.require("curl");
        String serve = readme.of(ReadmeBlocks.Kind.STARTS_SERVE).get(0).text().strip();
        assertFalse(serve.contains("\n") || serve.contains("--port"), "one serve command, on the default port: " + serve);
        Process process = Shell.builder(serve + " --port 0", checkout, env).redirectErrorStream(true).start();
        List<String> printed = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> readLines(process, printed, port), "quick-start-serve");
        reader.start();
        try {
            int actual = port.get(90, TimeUnit.SECONDS);
            for (ReadmeBlocks.Block block : readme.of(ReadmeBlocks.Kind.WHILE_SERVE_RUNS)) {
                assertTrue(block.text().contains("127.0.0.1:8080"), "the line to try calls serve's default port");
                String line = block.text().replace("127.0.0.1:8080", "127.0.0.1:" + actual);
                Shell.Result run = Shell.run(line, checkout, env, 60);
                assertEquals(0, run.exit(), "README.md:" + block.line() + ":\n" + line + run.both());
                assertEquals(DemoModel.REPLY, streamedText(run.out()), run.out());
            }
        } finally {
            Shell.stop(process);
            reader.join(5_000);
        }
        String all = String.join("\n", printed);
        assertTrue(all.contains("OFFLINE DEMO"), all);
        assertFalse(all.contains("Exception"), all);
    }

    private static void readLines(Process process, List<String> printed, CompletableFuture<Integer> port) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                printed.add(line);
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        port.completeExceptionally(new AssertionError("serve ended before it listened:\n" + String.join("\n", printed)));
    }

    /** The content of a streamed answer, event by event; it must end with exactly one [DONE]. */
    private static String streamedText(String body) throws IOException {
        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        StringBuilder text = new StringBuilder();
        for (String event : body.split("\n\n")) {
            assertTrue(event.startsWith("data: "), event);
            String data = event.substring("data: ".length());
            if (!data.equals("[DONE]")) {
                JsonNode chunk = Json.MAPPER.readTree(data);
                text.append(chunk.at("/choices/0/delta/content").asText(""));
            }
        }
        return text.toString();
    }
}

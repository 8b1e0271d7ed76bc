package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.ExternalTool;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The Node callers of {@code /responses}: the official {@code openai} client and the Vercel AI SDK
 * ({@code ai} + {@code @ai-sdk/openai}), installed once into {@code <build dir>/node-responses} at
 * pinned versions (the newest that run on Node 20: openai 7, ai 7 and @ai-sdk/openai 4 need
 * Node 22), and the scripts that drive them ({@code src/test/resources/node-responses}).
 * Without node the tests are skipped, and fail under {@code CI=true} ({@link ExternalTool}).
 */
final class NodeResponsesClients {
    static final Map<String, String> PINNED = Map.of(
            "openai", "6.49.0",
            "ai", "6.0.326",
            "@ai-sdk/openai", "3.0.141",
            "zod", "4.6.7"); // the AI SDK's peer dependency
    private static final List<String> SCRIPTS = List.of("openai-responses.mjs", "ai-sdk.mjs");

    private static Path node;
    private static Path dir;

    private NodeResponsesClients() {}

    static synchronized void install() throws Exception {
        node = ExternalTool.require("node");
        Path npm = ExternalTool.require("npm");
        dir = Path.of(System.getProperty("relay.buildDir", "target")).toAbsolutePath().resolve("node-responses");
        Files.createDirectories(dir);
        List<String> specs = PINNED.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).sorted().toList();
        Path marker = dir.resolve(".installed");
        String wanted = String.join(" ", specs) + "\n";
        if (!Files.exists(marker) || !Files.readString(marker).equals(wanted)) {
            Files.writeString(dir.resolve("package.json"), "{\"name\": \"llm-relay-responses-clients\", \"private\": true}\n");
            List<String> command = new ArrayList<>(List.of(npm.toString(), "install", "--no-audit", "--no-fund", "--save-exact"));
            command.addAll(specs);
            Path log = dir.resolve("npm-install.log");
            Process install = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                if (!install.waitFor(4, TimeUnit.MINUTES)) {
                    fail("npm install took longer than 4 minutes:\n" + Files.readString(log));
                }
            } finally {
                install.destroyForcibly();
            }
            assertEquals(0, install.exitValue(), "npm install " + specs + " failed:\n" + Files.readString(log));
            Files.writeString(marker, wanted);
        }
        for (Map.Entry<String, String> pin : PINNED.entrySet()) {
            JsonNode installed = Json.MAPPER.readTree(dir.resolve("node_modules/" + pin.getKey() + "/package.json").toFile());
            assertEquals(pin.getValue(), installed.path("version").asText(), pin.getKey() + " installed");
        }
        for (String script : SCRIPTS) {
            try (InputStream in = NodeResponsesClients.class.getResourceAsStream("/node-responses/" + script)) {
                assertNotNull(in, "test resource node-responses/" + script);
                // Next to node_modules, so that the imports resolve to the installed packages.
                Files.copy(in, dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** One run of a script; its stdout lines are read on their own thread and handed over as they come. */
    static final class Run implements AutoCloseable {
        private static final JsonNode EOF = Json.object().put("type", "eof");

        private final Process process;
        private final Path stderr;
        private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
        private final List<String> rawLines = new ArrayList<>();

        private Run(Process process, Path stderr) {
            this.process = process;
            this.stderr = stderr;
            Thread reader = new Thread(this::readLines, "node-responses-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        static Run start(String script, String... args) throws IOException {
            Path stderr = Files.createTempFile("node-responses", ".stderr");
            List<String> command = new ArrayList<>(List.of(node.toString(), script));
            command.addAll(List.of(args));
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            return new Run(process, stderr);
        }

        private void readLines() {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (rawLines) {
                        rawLines.add(line);
                    }
                    lines.add(Json.MAPPER.readTree(line));
                }
            } catch (IOException e) {
                // the process was killed; the EOF below tells the test
            } finally {
                lines.add(EOF);
            }
        }

        /** The script's next line, as soon as it is printed. */
        JsonNode next() throws Exception {
            JsonNode line = lines.poll(30, TimeUnit.SECONDS);
            if (line == null) {
                fail("the node script printed nothing for 30 s" + diagnostics());
            }
            if (line == EOF) {
                lines.add(EOF);
                fail("the node script ended early" + diagnostics());
            }
            return line;
        }

        /** The next line of {@code type}, skipping others. */
        JsonNode next(String type) throws Exception {
            JsonNode line;
            while (!(line = next()).path("type").asText().equals(type)) {
                if (line.path("type").asText().equals("error")) {
                    fail("the client failed: " + line + diagnostics());
                }
            }
            return line;
        }

        int exitCode() throws Exception {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                fail("the node script did not exit" + diagnostics());
            }
            assertFalse(Optional.ofNullable(lines.poll()).filter(l -> l != EOF).isPresent(),
                    "the node script printed more than expected" + diagnostics());
            return process.exitValue();
        }

        String diagnostics() {
            String out;
            synchronized (rawLines) {
                out = String.join("\n", rawLines);
            }
            String err;
            try {
                err = Files.readString(stderr);
            } catch (IOException e) {
                err = "(unreadable: " + e + ")";
            }
            return "\n--- node stdout ---\n" + out + "\n--- node stderr ---\n" + err;
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(stderr);
        }
    }
}

package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.ExternalTool;
import io.llmrelay.testing.RelayUnderTest;
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
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One run of {@code node-client/stream-chat.mjs}, the official npm {@code openai} client (v6) streaming
 * from the relay; its stdout lines (one JSON object per chunk, then the end or the error) are read on
 * their own thread and handed over as they are printed.
 *
 * <p>{@link #install()} puts the client once into {@code <build dir>/node-client} (reused by later
 * runs) with the script next to {@code node_modules}.
 */
final class NodeClient implements AutoCloseable {
    static final String SCRIPT = "stream-chat.mjs";
    private static final JsonNode EOF = Json.object().put("type", "eof");

    private static Path node;
    private static Path clientDir;

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    private final List<String> rawLines = new ArrayList<>();

    private NodeClient(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(this::readLines, "node-client-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Installs {@code openai@6} with npm unless it is there already, and copies the script beside it. */
    static synchronized void install() throws Exception {
        node = ExternalTool.require("node");
        Path npm = ExternalTool.require("npm");
        clientDir = Path.of(System.getProperty("relay.buildDir", "target")).toAbsolutePath().resolve("node-client");
        Files.createDirectories(clientDir);
        Path marker = clientDir.resolve(".openai6-installed");
        if (!Files.exists(marker) || !Files.exists(clientDir.resolve("node_modules/openai/package.json"))) {
            Files.writeString(clientDir.resolve("package.json"),
                    "{\"name\": \"llm-relay-node-client-test\", \"private\": true}\n");
            Path log = clientDir.resolve("npm-install.log");
            Process install = new ProcessBuilder(npm.toString(), "install", "--no-audit", "--no-fund", "openai@6")
                    .directory(clientDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                if (!install.waitFor(4, TimeUnit.MINUTES)) {
                    fail("npm install openai@6 took longer than 4 minutes:\n" + Files.readString(log));
                }
            } finally {
                install.destroyForcibly();
            }
            assertEquals(0, install.exitValue(), "npm install openai@6 failed:\n" + Files.readString(log));
            Files.writeString(marker, "npm install --no-audit --no-fund openai@6\n");
        }
        JsonNode installed = Json.MAPPER.readTree(clientDir.resolve("node_modules/openai/package.json").toFile());
        assertTrue(installed.path("version").asText().startsWith("6."), "openai " + installed.path("version"));
        System.out.println("npm openai client " + installed.path("version").asText() + " in " + clientDir);
        try (InputStream script = NodeClient.class.getResourceAsStream("/node-client/" + SCRIPT)) {
            assertNotNull(script, "test resource node-client/" + SCRIPT);
            // Next to node_modules, so that `import 'openai'` resolves to the installed client.
            Files.copy(script, clientDir.resolve(SCRIPT), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** A plain stream: {@code client.chat.completions.create({stream: true})}, chunk by chunk. */
    static NodeClient start(RelayUnderTest relay, String apiKey, String model, String prompt) throws IOException {
        return start(relay, apiKey, model, prompt, null);
    }

    /**
     * @param extraJson request fields added to the request (tools, stream_options ...); when given, the
     *                  stream is read through the client's accumulator and a "final" line says what it made
     */
    static NodeClient start(RelayUnderTest relay, String apiKey, String model, String prompt, String extraJson)
            throws IOException {
        Path stderr = Files.createTempFile("node-client", ".stderr");
        List<String> command = new ArrayList<>(List.of(node.toString(), SCRIPT, relay.baseUrl().toString(), apiKey,
                model, prompt));
        if (extraJson != null) {
            command.add(extraJson);
        }
        Process process = new ProcessBuilder(command)
                .directory(clientDir.toFile())
                .redirectError(stderr.toFile())
                .start();
        process.getOutputStream().close();
        return new NodeClient(process, stderr);
    }

    private void readLines() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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
    JsonNode nextLine() throws Exception {
        JsonNode line = lines.poll(30, TimeUnit.SECONDS);
        if (line == null) {
            fail("the node client printed nothing for 30 s" + diagnostics());
        }
        if (line == EOF) {
            lines.add(EOF);
            fail("the node client ended early" + diagnostics());
        }
        return line;
    }

    int exitCode() throws Exception {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("the node client did not exit" + diagnostics());
        }
        assertFalse(Optional.ofNullable(lines.poll()).filter(l -> l != EOF).isPresent(),
                "the node client printed more than expected" + diagnostics());
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
    public void close() throws Exception {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(stderr);
    }
}

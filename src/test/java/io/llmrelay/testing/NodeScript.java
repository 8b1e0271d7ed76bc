package io.llmrelay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
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
 * One run of a Node script that drives a real client library (the npm {@code openai} client, the
 * Vercel AI SDK) against the relay, printing one JSON object a line: its stdout lines are read on
 * their own thread and handed over as they are printed. {@link #install} puts the packages once
 * into a directory of the build dir, with the scripts beside {@code node_modules}.
 */
public final class NodeScript implements AutoCloseable {
    private static final JsonNode EOF = Json.object().put("type", "eof");

    private final Process process;
    private final Path stderr;
    private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    private final List<String> rawLines = new ArrayList<>();

    private NodeScript(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(this::readLines, "node-script-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Installs {@code specs} with npm into {@code <build dir>/<name>} unless that was done already
     * (a marker file holds the specs; a change installs again, as does a package gone missing), and
     * copies the test resources {@code <name>/<script>} beside {@code node_modules}, so that the
     * scripts' imports resolve to the installed packages.
     *
     * @param packages the packages whose {@code package.json} must be there after the install
     * @return the directory, for {@link #start}
     */
    public static Path install(String name, List<String> specs, List<String> packages, List<String> scripts)
            throws Exception {
        ExternalTool.require("node");
        Path npm = ExternalTool.require("npm");
        Path dir = Path.of(System.getProperty("relay.buildDir", "target")).toAbsolutePath().resolve(name);
        Files.createDirectories(dir);
        Path marker = dir.resolve(".installed");
        String wanted = String.join(" ", specs) + "\n";
        boolean installed = Files.exists(marker) && Files.readString(marker).equals(wanted)
                && packages.stream().allMatch(p -> Files.exists(dir.resolve("node_modules/" + p + "/package.json")));
        if (!installed) {
            Files.writeString(dir.resolve("package.json"), "{\"name\": \"llm-relay-" + name + "\", \"private\": true}\n");
            List<String> command = new ArrayList<>(List.of(npm.toString(), "install", "--no-audit", "--no-fund", "--save-exact"));
            command.addAll(specs);
            Path log = dir.resolve("npm-install.log");
            Process install = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            try {
                if (!install.waitFor(4, TimeUnit.MINUTES)) {
                    fail("npm install " + specs + " took longer than 4 minutes:\n" + Files.readString(log));
                }
            } finally {
                install.destroyForcibly();
            }
            assertEquals(0, install.exitValue(), "npm install " + specs + " failed:\n" + Files.readString(log));
            Files.writeString(marker, wanted);
        }
        for (String script : scripts) {
            try (InputStream in = NodeScript.class.getResourceAsStream("/" + name + "/" + script)) {
                assertNotNull(in, "test resource " + name + "/" + script);
                Files.copy(in, dir.resolve(script), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        return dir;
    }

    /** The version of {@code pkg} that {@link #install} put into {@code dir}. */
    public static String installedVersion(Path dir, String pkg) throws IOException {
        return Json.MAPPER.readTree(dir.resolve("node_modules/" + pkg + "/package.json").toFile()).path("version").asText();
    }

    /** Runs {@code script} in {@code dir} (from {@link #install}) with {@code args}. */
    public static NodeScript start(Path dir, String script, List<String> args) throws IOException {
        Path stderr = Files.createTempFile("node-script", ".stderr");
        List<String> command = new ArrayList<>(List.of(ExternalTool.require("node").toString(), script));
        command.addAll(args);
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectError(stderr.toFile()).start();
        process.getOutputStream().close();
        return new NodeScript(process, stderr);
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
    public JsonNode next() throws Exception {
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
    public JsonNode next(String type) throws Exception {
        JsonNode line;
        while (!(line = next()).path("type").asText().equals(type)) {
            if (line.path("type").asText().equals("error")) {
                fail("the client failed: " + line + diagnostics());
            }
        }
        return line;
    }

    public int exitCode() throws Exception {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            fail("the node script did not exit" + diagnostics());
        }
        assertFalse(Optional.ofNullable(lines.poll()).filter(l -> l != EOF).isPresent(),
                "the node script printed more than expected" + diagnostics());
        return process.exitValue();
    }

    /** What the script printed so far, on stdout and stderr, for a failure message. */
    public String diagnostics() {
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

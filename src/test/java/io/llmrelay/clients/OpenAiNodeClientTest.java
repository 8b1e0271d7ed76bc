package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.ExternalTool;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official npm {@code openai} client (v6, on Node) streaming from {@code serve}: the client most
 * avatar and voice platforms are built on. A small script ({@code node-client/stream-chat.mjs})
 * prints a JSON line per chunk as it arrives; the test follows those lines live.
 *
 * <p>The client is installed once into {@code <build dir>/node-client} and reused by later runs.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // the first run installs the client from npm
class OpenAiNodeClientTest {
    private static final String MODEL = "gpt-4o-mini";
    private static final String SCRIPT = "stream-chat.mjs";
    private static final String UPSTREAM_ERROR = "The server had an error while processing your request.";

    private static Path node;
    private static Path clientDir;

    private FakeUpstream upstream;
    private RelayUnderTest relay;

    @BeforeAll
    static void installClient() throws Exception {
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
        try (InputStream script = OpenAiNodeClientTest.class.getResourceAsStream("/node-client/" + SCRIPT)) {
            assertNotNull(script, "test resource node-client/" + SCRIPT);
            // Next to node_modules, so that `import 'openai'` resolves to the installed client.
            Files.copy(script, clientDir.resolve(SCRIPT), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @BeforeEach
    void start() throws Exception {
        upstream = FakeUpstream.start();
        relay = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null),
                RelayUnderTest.upstreamKeyEnv());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Test
    void theFirstChunkReachesTheNodeClientWhileTheUpstreamHoldsTheRestBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Hel"))
                .gate(gate)
                .chunk(Chunks.content("lo from "))
                .chunk(Chunks.content("Node ✓ \"quoted\""))
                .chunk(Chunks.finish("stop"))
                .done());
        try (NodeClient client = NodeClient.start(relay, RelayUnderTest.CALLER_KEY, "Say hello")) {
            JsonNode first = client.nextLine();
            assertEquals("chunk", first.path("type").asText(), first.toString());
            assertEquals("assistant", first.path("role").asText());
            JsonNode second = client.nextLine();
            assertEquals("Hel", second.path("content").asText(), second.toString());
            assertEquals(1, gate.getCount(), "the gate is still closed: the rest does not exist yet");
            gate.countDown(); // only now may the upstream send the rest

            List<JsonNode> chunks = new ArrayList<>(List.of(first, second));
            JsonNode line;
            while ((line = client.nextLine()).path("type").asText().equals("chunk")) {
                chunks.add(line);
            }
            assertEquals("end", line.path("type").asText(), "the stream ended cleanly: " + line + client.diagnostics());
            assertEquals(1, line.path("doneEvents").asInt(), "exactly one data: [DONE]");
            assertTrue(line.path("endsWithDone").asBoolean(), "data: [DONE] is the last event");

            assertEquals(5, chunks.size(), "every chunk arrives");
            StringBuilder text = new StringBuilder();
            for (JsonNode chunk : chunks) {
                assertEquals("chatcmpl-up1", chunk.path("id").asText());
                assertEquals("chat.completion.chunk", chunk.path("object").asText());
                if (chunk.hasNonNull("content")) {
                    text.append(chunk.path("content").asText());
                }
            }
            assertEquals("Hello from Node ✓ \"quoted\"", text.toString());
            assertEquals("stop", chunks.get(4).path("finish").asText());
            assertEquals(0, client.exitCode(), client.diagnostics());
        } finally {
            gate.countDown();
        }
        FakeUpstream.Recorded request = upstream.nextRequest();
        assertTrue(request.body().path("stream").asBoolean(), "stream: true reaches the upstream");
        assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, request.header("authorization"));
    }

    @Test
    void anErrorAfterTheFirstByteMakesTheNodeClientThrowApiError() throws Exception {
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Partial"))
                .chunk(Chunks.error(UPSTREAM_ERROR, "server_error", null)));
        try (NodeClient client = NodeClient.start(relay, RelayUnderTest.CALLER_KEY, "Tell me a story")) {
            assertEquals("", client.nextLine().path("content").asText());
            assertEquals("Partial", client.nextLine().path("content").asText());
            JsonNode error = client.nextLine();
            assertEquals("error", error.path("type").asText(), error.toString());
            assertEquals("APIError", error.path("class").asText(), error.toString());
            assertTrue(error.path("isAPIError").asBoolean());
            assertEquals(UPSTREAM_ERROR, error.path("message").asText());
            assertEquals("server_error", error.path("errorType").asText());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        upstream.nextRequest();
    }

    @Test
    void aWrongCallerKeyIsTheNodeClientsAuthenticationError() throws Exception {
        try (NodeClient client = NodeClient.start(relay, "rk-not-a-caller-key-000000", "Hi")) {
            JsonNode error = client.nextLine();
            assertEquals("error", error.path("type").asText(), error.toString());
            assertEquals("AuthenticationError", error.path("class").asText(), error.toString());
            assertTrue(error.path("isAPIError").asBoolean());
            assertEquals(401, error.path("status").asInt());
            assertEquals("invalid_api_key", error.path("code").asText());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        assertEquals(0, upstream.requestCount(), "a refused caller never reaches the upstream");
    }

    /** One run of the script; its stdout lines are read on their own thread and handed over. */
    private static final class NodeClient implements AutoCloseable {
        private static final JsonNode EOF = Json.object().put("type", "eof");

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

        static NodeClient start(RelayUnderTest relay, String apiKey, String prompt) throws IOException {
            Path stderr = Files.createTempFile("node-client", ".stderr");
            Process process = new ProcessBuilder(node.toString(), SCRIPT, relay.baseUrl().toString(), apiKey, MODEL, prompt)
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
}

package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.NodeScript;
import io.llmrelay.testing.RelayUnderTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code node-client/stream-chat.mjs}, the official npm {@code openai} client (v6) streaming from the
 * relay: its stdout lines are one JSON object per chunk, then the end or the error.
 *
 * <p>{@link #install()} puts the client once into {@code <build dir>/node-client} (reused by later
 * runs) with the script next to {@code node_modules}.
 */
final class NodeClient {
    static final String SCRIPT = "stream-chat.mjs";

    private static Path clientDir;

    private NodeClient() {}

    /** Installs {@code openai@6} with npm unless it is there already, and copies the script beside it. */
    static synchronized void install() throws Exception {
        clientDir = NodeScript.install("node-client", List.of("openai@6"), List.of("openai"), List.of(SCRIPT));
        String version = NodeScript.installedVersion(clientDir, "openai");
        assertTrue(version.startsWith("6."), "openai " + version);
        System.out.println("npm openai client " + version + " in " + clientDir);
    }

    /** A plain stream: {@code client.chat.completions.create({stream: true})}, chunk by chunk. */
    static NodeScript start(RelayUnderTest relay, String apiKey, String model, String prompt) throws IOException {
        return start(relay, apiKey, model, prompt, null);
    }

    /**
     * @param extraJson request fields added to the request (tools, stream_options ...); when given, the
     *                  stream is read through the client's accumulator and a "final" line says what it made
     */
    static NodeScript start(RelayUnderTest relay, String apiKey, String model, String prompt, String extraJson)
            throws IOException {
        List<String> args = new ArrayList<>(List.of(relay.baseUrl().toString(), apiKey, model, prompt));
        if (extraJson != null) {
            args.add(extraJson);
        }
        return NodeScript.start(clientDir, SCRIPT, args);
    }
}

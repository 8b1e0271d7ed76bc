package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmrelay.testing.ExternalTool;
import io.llmrelay.testing.NodeScript;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    private static Path dir;

    private NodeResponsesClients() {}

    static synchronized void install() throws Exception {
        List<String> specs = PINNED.entrySet().stream().map(e -> e.getKey() + "@" + e.getValue()).sorted().toList();
        dir = NodeScript.install("node-responses", specs, List.copyOf(PINNED.keySet()), SCRIPTS);
        for (Map.Entry<String, String> pin : PINNED.entrySet()) {
            assertEquals(pin.getValue(), NodeScript.installedVersion(dir, pin.getKey()), pin.getKey() + " installed");
        }
    }

    /** One run of {@code script}; its stdout lines are handed over as they come. */
    static NodeScript run(String script, String... args) throws IOException {
        return NodeScript.start(dir, script, List.of(args));
    }
}

package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Runs the probe command in-process and keeps what it printed and wrote. */
final class Probing {
    private Probing() {}

    /** One run: exit status, standard output, standard error and the --json document (always asked for). */
    record Result(int exit, String out, String err, JsonNode json) {
        JsonNode request(int index) {
            return json.path("requests").path(index);
        }

        /** Everything the run showed anyone, for leak checks. */
        String everything() {
            return out + "\n" + err + "\n" + json;
        }

        /** No stack trace, no exception class names: a user sees messages. */
        void assertNoStackTrace() {
            for (String text : List.of(out, err)) {
                assertFalse(text.contains("\tat ") || text.contains("Exception"), "stack trace or exception in:\n" + text);
            }
        }
    }

    static Result probe(HttpClient http, Map<String, String> env, String... args) throws IOException {
        Path json = Files.createTempFile("probe", ".json");
        try {
            List<String> all = new ArrayList<>(Arrays.asList(args));
            all.add("--json");
            all.add(json.toString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = ProbeCommand.run(all.toArray(String[]::new), env, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), http, false);
            String written = Files.readString(json);
            return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                    written.isEmpty() ? Json.MAPPER.missingNode() : Json.MAPPER.readTree(written));
        } finally {
            Files.deleteIfExists(json);
        }
    }

    static HttpClient http() {
        return ProbeClient.defaultHttpClient();
    }
}

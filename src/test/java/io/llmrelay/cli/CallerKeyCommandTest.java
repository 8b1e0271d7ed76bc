package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.relay.caller.CallerAuthenticator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallerKeyCommandTest {
    /** What one run printed: the key line and the JSON line, found by their shapes. */
    record Output(int exit, String out, String err, String key, JsonNode entry) {}

    static Output run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = CallerKeyCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        String key = text.lines().map(String::strip).filter(l -> l.startsWith("rk-")).findFirst().orElse(null);
        String json = text.lines().map(String::strip).filter(l -> l.startsWith("{")).findFirst().orElse(null);
        return new Output(exit, text, err.toString(StandardCharsets.UTF_8), key,
                json == null ? null : Json.MAPPER.readTree(json));
    }

    @Test
    void printsAKeyAndTheEntryWithItsHash() throws Exception {
        Output run = run("new", "--name", "vapi");
        assertEquals(0, run.exit());
        assertEquals("", run.err());
        assertTrue(run.key().matches("rk-[A-Za-z0-9_-]{43}"), run.key());
        assertEquals("vapi", run.entry().get("name").asText());
        assertEquals(KeyDigest.sha256Hex(run.key()), run.entry().get("keySha256").asText());
        assertEquals(2, run.entry().size());
        assertTrue(run.out().contains("not kept anywhere"), run.out());
    }

    @Test
    void theEntryWorksInAConfigAndAuthenticatesTheKey() throws Exception {
        Output run = run("new", "--name=simli");
        RelayConfig config = ConfigLoader.parse("{\"callers\": [" + run.entry() + "], \"routes\": [{\"name\": \"d\","
                + " \"type\": \"demo\", \"default\": true}]}", "test");
        CallerAuthenticator auth = new CallerAuthenticator(config.callers());
        assertEquals("simli", auth.authenticate(Map.of("authorization", "Bearer " + run.key())::get).callerName());
    }

    @Test
    void everyRunMakesANewKey() throws Exception {
        Output first = run("new", "--name", "vapi");
        Output second = run("new", "--name", "vapi");
        assertNotEquals(first.key(), second.key());
        assertNotEquals(first.entry().get("keySha256"), second.entry().get("keySha256"));
    }

    @Test
    void badArgumentsPrintUsageAndExit2() throws Exception {
        String[][] bad = {
            {}, {"old", "--name", "x"}, {"new"}, {"new", "--name"}, {"new", "--name", "has space"},
            {"new", "--name", "x".repeat(65)}, {"new", "--name", "a", "--name", "b"}, {"new", "--nmae", "a"},
            {"new", "--name", ""},
        };
        for (String[] args : bad) {
            Output run = run(args);
            assertEquals(2, run.exit(), String.join(" ", args));
            assertTrue(run.err().contains("usage: java -jar llm-relay.jar caller-key new --name NAME"), run.err());
            assertEquals("", run.out(), "nothing on stdout for " + String.join(" ", args));
        }
    }
}

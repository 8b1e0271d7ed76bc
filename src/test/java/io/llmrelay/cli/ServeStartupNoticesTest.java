package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.local.LocalFunctionUrlServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What {@code serve} says when it starts: the config in force, and what in it will refuse requests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeStartupNoticesTest {
    private static final String NO_CALLERS_UNSET_KEY = """
            {"routes": [{"name": "openai", "baseUrl": "https://api.openai.com/v1", "apiKey": "env:RELAY_TEST_UNSET_KEY",
                         "default": true},
                        {"name": "local", "baseUrl": "http://127.0.0.1:11434/v1", "models": ["llama3"]}]}""";

    @TempDir
    Path dir;

    private String started(Path config, Map<String, String> env, boolean noAuth) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (LocalFunctionUrlServer server = ServeCommand.start(new ServeCommand.Options(0, config, noAuth, 1), env, out)) {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void anUnsetKeyVariableAndNoCallersAreSaidAtStartWithTheSource() throws Exception {
        Path config = Files.writeString(dir.resolve("relay.json"), NO_CALLERS_UNSET_KEY);

        String output = started(config, Map.of("RELAY_TEST_OTHER", "sk-value-never-printed"), false);

        assertTrue(output.contains("  config:    from --config " + config + ": 2 route(s), 0 caller(s)"), output);
        assertTrue(output.contains("  WARNING:   route 'openai': its apiKey is env:RELAY_TEST_UNSET_KEY and the environment"
                + " variable RELAY_TEST_UNSET_KEY is not set"), output);
        assertFalse(output.contains("route 'local'"), "a keyless route needs no variable: " + output);
        assertTrue(output.contains("  !!! NO CALLERS: caller auth is on and \"callers\" is empty, so EVERY request will be"
                + " refused with 401."), output);
        assertFalse(output.contains("sk-value-never-printed"), output);
    }

    @Test
    void withNoAuthThereIsNoNoCallersAlert() throws Exception {
        Path config = Files.writeString(dir.resolve("relay.json"), NO_CALLERS_UNSET_KEY);

        String output = started(config, Map.of("RELAY_TEST_UNSET_KEY", "sk-set"), true);

        assertFalse(output.contains("NO CALLERS"), output);
        assertFalse(output.contains("WARNING"), "the variable is set: " + output);
        assertTrue(output.contains("AUTH IS OFF"), output);
    }

    @Test
    void theEnvironmentSourceIsNamed() throws Exception {
        String output = started(null, Map.of("RELAY_CONFIG", NO_CALLERS_UNSET_KEY, "RELAY_TEST_UNSET_KEY", "k"), true);

        assertTrue(output.contains("  config:    from RELAY_CONFIG (inline JSON): 2 route(s), 0 caller(s)"), output);
    }

    @Test
    void aConfigFileBesideRelayConfigIsRefusedAndNothingStarts() throws Exception {
        Path config = Files.writeString(dir.resolve("relay.json"), NO_CALLERS_UNSET_KEY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = ServeCommand.run(new String[] {"--config", config.toString(), "--port", "0"},
                Map.of("RELAY_CONFIG", NO_CALLERS_UNSET_KEY), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, exit);
        String message = err.toString(StandardCharsets.UTF_8);
        assertTrue(message.startsWith("serve: invalid relay config (--config and RELAY_CONFIG): more than one is set;"),
                message);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing started");
    }
}

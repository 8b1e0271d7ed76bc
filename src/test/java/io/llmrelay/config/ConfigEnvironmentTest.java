package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void neitherVariableMeansNoConfig() {
        assertEquals(Optional.empty(), ConfigLoader.fromEnvironment(Map.of()));
        assertEquals(Optional.empty(), ConfigLoader.fromEnvironment(Map.of("RELAY_CONFIG", " ")));
    }

    @Test
    void inlineConfig() {
        RelayConfig config = ConfigLoader.fromEnvironment(Map.of("RELAY_CONFIG", ConfigLoaderTest.MINIMAL)).orElseThrow();
        assertEquals("openai", config.routes().get(0).name());
    }

    @Test
    void configFile() throws Exception {
        Path file = dir.resolve("relay.json");
        Files.writeString(file, ConfigLoaderTest.MINIMAL);
        RelayConfig config = ConfigLoader.fromEnvironment(Map.of("RELAY_CONFIG_FILE", file.toString())).orElseThrow();
        assertEquals("vapi", config.callers().get(0).name());
    }

    @Test
    void errorsNameTheSource() throws Exception {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"routes\": []}");
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromEnvironment(Map.of("RELAY_CONFIG_FILE", file.toString())));
        assertTrue(e.getMessage().contains("RELAY_CONFIG_FILE=" + file), e.getMessage());

        ConfigException inline = assertThrows(ConfigException.class,
                () -> ConfigLoader.fromEnvironment(Map.of("RELAY_CONFIG", "{}")));
        assertTrue(inline.getMessage().startsWith("invalid relay config (RELAY_CONFIG): routes: is required"),
                inline.getMessage());
    }

    @Test
    void missingFileIsAConfigError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromEnvironment(
                Map.of("RELAY_CONFIG_FILE", dir.resolve("absent.json").toString())));
        assertTrue(e.getMessage().contains("cannot read the file"), e.getMessage());
    }

    @Test
    void bothVariablesIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromEnvironment(
                Map.of("RELAY_CONFIG", ConfigLoaderTest.MINIMAL, "RELAY_CONFIG_FILE", "/etc/relay.json")));
        assertTrue(e.getMessage().contains("RELAY_CONFIG and RELAY_CONFIG_FILE"), e.getMessage());
        assertTrue(e.getMessage().contains("set only one"), e.getMessage());
    }
}

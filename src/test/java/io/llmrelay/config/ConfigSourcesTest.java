package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.aws.AwsClients;
import java.net.URI;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class ConfigSourcesTest {
    // Port 9 (discard) on loopback: nothing listens, so any call fails fast; these tests make none.
    private final AwsClients aws = new AwsClients(AwsClientSettings.emulator(
            URI.create("http://127.0.0.1:9"), Region.US_EAST_1, AnonymousCredentialsProvider.create()));

    private Optional<ConfigSource> from(Map<String, String> env) {
        return ConfigSources.fromEnvironment(env, aws, InstantSource.system(), w -> {});
    }

    @Test
    void nothingSetMeansNoConfig() {
        assertEquals(Optional.empty(), from(Map.of()));
        assertEquals(Optional.empty(), from(Map.of(ConfigSources.ENV_SECRET, " ")));
    }

    @Test
    void inlineConfigIsFixed() throws Exception {
        ConfigSource source = from(Map.of("RELAY_CONFIG", ConfigLoaderTest.MINIMAL)).orElseThrow();
        assertEquals("openai", source.current().routes().get(0).name());
        assertFalse(aws.secretsManagerBuilt());
    }

    @Test
    void secretGivesASecretsManagerSourceThatReadsNothingYet() {
        ConfigSource source = from(Map.of(ConfigSources.ENV_SECRET, " llm-relay/config\n")).orElseThrow();
        SecretsManagerConfigSource secret = assertInstanceOf(SecretsManagerConfigSource.class, source);
        assertEquals("RELAY_CONFIG_SECRET=llm-relay/config", secret.source());
        assertFalse(aws.secretsManagerBuilt(), "built and read on first use only");
    }

    @Test
    void moreThanOneSourceIsAnError() {
        ConfigException e = assertThrows(ConfigException.class, () -> from(Map.of(
                "RELAY_CONFIG", ConfigLoaderTest.MINIMAL, ConfigSources.ENV_SECRET, "llm-relay/config")));
        assertTrue(e.getMessage().contains("RELAY_CONFIG and RELAY_CONFIG_SECRET"), e.getMessage());
        assertTrue(e.getMessage().contains("set only one"), e.getMessage());

        ConfigException all = assertThrows(ConfigException.class, () -> from(Map.of(
                "RELAY_CONFIG", "{}", "RELAY_CONFIG_FILE", "/x", ConfigSources.ENV_SECRET, "s")));
        assertTrue(all.getMessage().contains("RELAY_CONFIG and RELAY_CONFIG_FILE and RELAY_CONFIG_SECRET"), all.getMessage());
    }

    @Test
    void unreachableSecretsManagerWithNoConfigYetIsUnavailable() {
        ConfigSource source = from(Map.of(ConfigSources.ENV_SECRET, "llm-relay/config")).orElseThrow();
        ConfigSource.ConfigUnavailableException e =
                assertThrows(ConfigSource.ConfigUnavailableException.class, source::current);
        assertTrue(e.getMessage().startsWith("cannot read the relay config from RELAY_CONFIG_SECRET=llm-relay/config: "),
                e.getMessage());
    }

    @Test
    void aConfigFileBesideAnEnvironmentSourceIsRefusedLikeTwoEnvironmentSources() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("relay", ".json");
        try {
            java.nio.file.Files.writeString(file, ConfigLoaderTest.MINIMAL);
            for (String variable : java.util.List.of("RELAY_CONFIG", "RELAY_CONFIG_FILE", ConfigSources.ENV_SECRET)) {
                ConfigException e = assertThrows(ConfigException.class,
                        () -> ConfigSources.fromFileOrEnvironment(file, Map.of(variable, "x")));
                assertTrue(e.getMessage().contains("--config and " + variable), e.getMessage());
                assertTrue(e.getMessage().contains("set only one"), e.getMessage());
                assertFalse(e.getMessage().contains("\"x\""), "names, not values: " + e.getMessage());
            }
            assertEquals("openai", ConfigSources.fromFileOrEnvironment(file, Map.of("RELAY_CONFIG", " "))
                    .orElseThrow().current().routes().get(0).name(), "a blank variable is not a source");
            assertEquals(Optional.empty(), ConfigSources.fromFileOrEnvironment(null, Map.of()));
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}

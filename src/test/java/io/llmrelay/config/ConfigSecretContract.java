package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.testing.CountingInterceptor;
import io.llmrelay.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** RELAY_CONFIG_SECRET against a real AWS API emulator; subclasses say which (moto_server, LocalStack). */
abstract class ConfigSecretContract {
    protected abstract AwsClientSettings settings();

    CountingInterceptor calls;
    /** What the relay uses (counted); set-up goes through {@link #admin} so it neither counts nor builds these. */
    AwsClients aws;
    AwsClients admin;
    ManualClock clock;
    List<String> warnings;

    @BeforeEach
    void setUp() {
        calls = new CountingInterceptor();
        aws = new AwsClients(settings().withInterceptor(calls));
        admin = new AwsClients(settings());
        clock = new ManualClock();
        warnings = new CopyOnWriteArrayList<>();
    }

    @AfterEach
    void tearDown() {
        aws.close();
        admin.close();
    }

    static String config(String routeName, int ttlSeconds) {
        return """
                {"keyCacheTtlSeconds": %d,
                 "routes": [{"name": "%s", "baseUrl": "https://api.openai.com/v1",
                             "apiKey": "secretsmanager:llm-relay/openai", "models": ["gpt-4o*"], "default": true}]}
                """.formatted(ttlSeconds, routeName);
    }

    @Test
    void configComesFromTheSecretAndIsReadOnFirstUse() throws Exception {
        String secret = secret(config("openai", 60));
        ConfigSource source = fromEnvironment(secret);
        assertFalse(aws.secretsManagerBuilt(), "nothing is read before the first request");

        RelayConfig config = source.current();
        assertEquals("openai", config.routes().get(0).name());
        assertEquals(60, config.keyCacheTtlSeconds());
        assertEquals(1, calls.count("GetSecretValue"));
    }

    @Test
    void updatedSecretIsSeenOnceTheTtlHasPassed() throws Exception {
        String secret = secret(config("openai", 60));
        ConfigSource source = fromEnvironment(secret);
        assertEquals("openai", source.current().routes().get(0).name());

        admin.secretsManager().putSecretValue(b -> b.secretId(secret).secretString(config("openai-v2", 60)));
        clock.advance(Duration.ofSeconds(59));
        assertEquals("openai", source.current().routes().get(0).name(), "within the TTL: the config read before");
        assertEquals(1, calls.count("GetSecretValue"), "and no read");

        clock.advance(Duration.ofSeconds(2));
        assertEquals("openai-v2", source.current().routes().get(0).name());
        assertEquals(2, calls.count("GetSecretValue"));
    }

    @Test
    void invalidUpdateKeepsTheLastGoodConfigAndIsRetried() throws Exception {
        String secret = secret(config("openai", 60));
        ConfigSource source = fromEnvironment(secret);
        source.current();

        admin.secretsManager().putSecretValue(b -> b.secretId(secret).secretString("{\"routes\": []}"));
        clock.advance(Duration.ofSeconds(61));
        assertEquals("openai", source.current().routes().get(0).name(), "the last good config stays");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("RELAY_CONFIG_SECRET=" + secret), warnings.get(0));
        assertTrue(warnings.get(0).contains("routes: must list at least one route"), warnings.get(0));

        admin.secretsManager().putSecretValue(b -> b.secretId(secret).secretString(config("fixed", 60)));
        clock.advance(SecretsManagerConfigSource.RETRY_INTERVAL.minusSeconds(1));
        assertEquals("openai", source.current().routes().get(0).name(), "not retried on every request");
        clock.advance(Duration.ofSeconds(2));
        assertEquals("fixed", source.current().routes().get(0).name());
    }

    @Test
    void missingSecretWithNoConfigYetIsUnavailable() {
        String absent = "llm-relay/absent-" + UUID.randomUUID();
        ConfigSource source = fromEnvironment(absent);
        ConfigSource.ConfigUnavailableException e =
                assertThrows(ConfigSource.ConfigUnavailableException.class, source::current);
        assertTrue(e.getMessage().contains("RELAY_CONFIG_SECRET=" + absent), e.getMessage());
        assertTrue(e.getMessage().contains("ResourceNotFoundException"), e.getMessage());
    }

    @Test
    void invalidFirstConfigIsUnavailableWithItsProblems() {
        String secret = secret("{\"routes\": [{\"name\": \"x\"}]}");
        ConfigSource.ConfigUnavailableException e =
                assertThrows(ConfigSource.ConfigUnavailableException.class, fromEnvironment(secret)::current);
        assertTrue(e.getMessage().startsWith("invalid relay config (RELAY_CONFIG_SECRET=" + secret + ")"), e.getMessage());
    }

    private ConfigSource fromEnvironment(String secretId) {
        return ConfigSources.fromEnvironment(Map.of(ConfigSources.ENV_SECRET, secretId), aws, clock, warnings::add)
                .orElseThrow();
    }

    private String secret(String value) {
        String name = "llm-relay/config-" + UUID.randomUUID();
        admin.secretsManager().createSecret(b -> b.name(name).secretString(value));
        return name;
    }
}

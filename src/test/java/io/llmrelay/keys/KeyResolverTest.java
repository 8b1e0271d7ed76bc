package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.RelayConfig;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class KeyResolverTest {
    private static final String KEY = "sk-test-THEKEY";

    @Test
    void envResolverReadsTheVariableAndTrimsIt() throws Exception {
        KeyResolver resolver = new EnvKeyResolver(Map.of("OPENAI_API_KEY", KEY + "\n"));
        assertEquals(KEY, resolver.resolve("openai", KeyReference.env("OPENAI_API_KEY")));
    }

    @Test
    void missingVariableNamesRouteAndVariable() {
        KeyResolver resolver = new EnvKeyResolver(Map.of("OTHER", KEY));
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> resolver.resolve("openai", KeyReference.env("OPENAI_API_KEY")));
        assertTrue(e.getMessage().contains("route 'openai'"), e.getMessage());
        assertTrue(e.getMessage().contains("OPENAI_API_KEY is not set"), e.getMessage());
        assertFalse(e.getMessage().contains("THEKEY"), e.getMessage());
    }

    @Test
    void emptyVariableIsUnavailable() {
        KeyResolver resolver = new EnvKeyResolver(Map.of("OPENAI_API_KEY", "  "));
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> resolver.resolve("openai", KeyReference.env("OPENAI_API_KEY")));
        assertTrue(e.getMessage().contains("OPENAI_API_KEY is empty"), e.getMessage());
    }

    @Test
    void aKeyTheHttpClientWouldRefuseIsUnavailableForAReasonThatNamesTheCharacterNotTheKey() throws Exception {
        java.util.Random random = new java.util.Random(5);
        String bad = "\u200b\ufeff\u0000\u0007\u001b\u007f\u0100\u2713\u0416";
        for (int i = 0; i < 300; i++) {
            StringBuilder key = new StringBuilder("sk-");
            for (int n = 0; n < 20; n++) {
                key.append((char) ('a' + random.nextInt(26)));
            }
            char odd = bad.charAt(random.nextInt(bad.length()));
            key.insert(3 + random.nextInt(key.length() - 3), odd);
            String value = key.toString();
            KeyResolver resolver = KeyResolvers.standard(Map.of("K", value), Duration.ofSeconds(60));
            KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                    () -> resolver.resolve("openai", KeyReference.env("K")));
            String code = String.format("U+%04X", (int) odd);
            assertEquals("route 'openai': the key from env:K contains a character not allowed in an HTTP"
                    + " header value (" + code + ")", e.getMessage());
            assertEquals("it contains a character not allowed in an HTTP header value (" + code + ")",
                    e.callerReason().orElseThrow());
            assertFalse(KeySourceFailure.isTransient(e), "a definite refusal: a cached key that turned bad is dropped");
            assertTrue(io.llmrelay.secrets.KnownSecrets.snapshot().contains(value), "registered for last-resort redaction");
        }
        assertEquals(KEY, KeyResolvers.standard(Map.of("K", KEY + "\u00e9 x"), Duration.ofSeconds(60))
                .resolve("openai", KeyReference.env("K")).substring(0, KEY.length()), "Latin-1 and spaces are sendable");
    }

    @Test
    void aBoundedResolutionOfAResolverWithoutACacheStopsWaitingAtItsLimit() throws Exception {
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        KeyResolver hanging = (route, ref) -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return KEY;
        };
        try {
            assertThrows(java.util.concurrent.TimeoutException.class,
                    () -> hanging.resolve("openai", KeyReference.env("K"), Duration.ofMillis(50)));
        } finally {
            release.countDown();
        }
        KeyResolver failing = (route, ref) -> {
            throw new IllegalStateException("decrypt failed for " + KEY);
        };
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> failing.resolve("openai", KeyReference.env("K"), Duration.ofSeconds(10)));
        assertTrue(e.getMessage().contains("IllegalStateException") && !e.getMessage().contains(KEY), e.getMessage());
        assertEquals(KEY, ((KeyResolver) (route, ref) -> KEY).resolve("openai", KeyReference.env("K"), Duration.ofSeconds(10)));
    }

    @Test
    void standardResolverHandlesEnvWithoutBuildingAnyAwsClient() throws Exception {
        AwsClients aws = unreachableAws();
        KeyResolver resolver = KeyResolvers.standard(Map.of("GROQ_API_KEY", KEY), Duration.ofMinutes(5), aws);
        assertEquals(KEY, resolver.resolve("groq", KeyReference.env("GROQ_API_KEY")));
        assertFalse(aws.kmsBuilt(), "env: keys never pay for an AWS client");
        assertFalse(aws.secretsManagerBuilt());
    }

    @Test
    void unreachableKmsIsATransientFailureNamingTheRouteOnly() {
        KeyResolver resolver = KeyResolvers.standard(Map.of(), Duration.ofMinutes(5), unreachableAws());
        KeyUnavailableException kms = assertThrows(KeyUnavailableException.class,
                () -> resolver.resolve("groq", KeyReference.parse("kms:AQICAHhSECRETCIPHER")));
        assertTrue(kms.getMessage().startsWith("route 'groq': KMS Decrypt failed: no answer from the service"),
                kms.getMessage());
        assertTrue(KeySourceFailure.isTransient(kms));
        KeySourcesContract.assertNoSecretIn(kms, "SECRETCIPHER");

        KeyUnavailableException sm = assertThrows(KeyUnavailableException.class,
                () -> resolver.resolve("groq", KeyReference.parse("secretsmanager:groq-key")));
        assertTrue(sm.getMessage().startsWith("route 'groq': Secrets Manager GetSecretValue for secret groq-key failed"),
                sm.getMessage());
    }

    @Test
    void kmsReferenceThatIsNotBase64FailsBeforeAnyCall() {
        AwsClients aws = unreachableAws();
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> new KmsKeyResolver(aws::kms).resolve("openai", KeyReference.parse("kms:abc=def")));
        assertEquals("route 'openai': the kms: apiKey is not valid base64", e.getMessage());
        assertFalse(aws.kmsBuilt());
    }

    @Test
    void encryptionContextBindsTheRouteName() {
        assertEquals(Map.of("llm-relay:route", "openai"), KmsKeyResolver.encryptionContext("openai"));
    }

    @Test
    void prepareBuildsClientsOnlyWhenInitIsAheadOfRequests() {
        RelayConfig kmsRoute = ConfigLoader.parse("""
                {"routes": [{"name": "openai", "baseUrl": "https://api.openai.com/v1",
                             "apiKey": "kms:AQICAHhCIPHER", "models": ["gpt-4o"]}]}
                """, "test");
        RelayConfig envRoute = ConfigLoader.parse("""
                {"routes": [{"name": "openai", "baseUrl": "https://api.openai.com/v1",
                             "apiKey": "env:OPENAI_API_KEY", "models": ["gpt-4o"]}]}
                """, "test");

        AwsClients onDemand = unreachableAws();
        assertFalse(KeyResolvers.prepare(kmsRoute.keyReferences(), Map.of(KeyResolvers.ENV_INIT_TYPE, "on-demand"), onDemand));
        assertFalse(KeyResolvers.prepare(kmsRoute.keyReferences(), Map.of(), onDemand));
        assertFalse(onDemand.kmsBuilt(), "on-demand: init and first request are both on the caller's path");

        AwsClients snapStart = unreachableAws();
        assertFalse(KeyResolvers.prepare(envRoute.keyReferences(), Map.of(KeyResolvers.ENV_INIT_TYPE, "snap-start"), snapStart));
        assertFalse(snapStart.kmsBuilt(), "env: keys need no client");
        assertTrue(KeyResolvers.prepare(kmsRoute.keyReferences(), Map.of(KeyResolvers.ENV_INIT_TYPE, "snap-start"), snapStart));
        assertTrue(snapStart.kmsBuilt());
        assertFalse(snapStart.secretsManagerBuilt());
    }

    /** Clients for a loopback port where nothing listens: every call fails at once with "connection refused". */
    static AwsClients unreachableAws() {
        return new AwsClients(AwsClientSettings.emulator(URI.create("http://127.0.0.1:9"), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"))));
    }
}

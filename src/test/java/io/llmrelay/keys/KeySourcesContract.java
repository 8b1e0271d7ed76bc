package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.cli.EncryptKeyCommand;
import io.llmrelay.testing.CountingInterceptor;
import io.llmrelay.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kms: and secretsmanager: references, encrypt-key and the cache against a real AWS API
 * emulator. Subclasses say which one (moto_server, LocalStack), so both run the same checks.
 */
abstract class KeySourcesContract {
    static final String KEY = "sk-proj-CONTRACT-plaintext-0123456789";

    /** Endpoint, region and credentials of the emulator; called after the subclass started it. */
    protected abstract AwsClientSettings settings();

    CountingInterceptor calls;
    AwsClients aws;
    String kmsKeyId;

    @BeforeEach
    void setUp() {
        calls = new CountingInterceptor();
        aws = new AwsClients(settings().withInterceptor(calls));
        kmsKeyId = aws.kms().createKey(b -> b.description("llm-relay test")).keyMetadata().keyId();
    }

    @AfterEach
    void tearDown() {
        aws.close();
    }

    @Test
    void encryptKeyPrintsAReferenceThatDecryptsToTheKey() throws Exception {
        Encrypted result = encryptKey(KEY + "\n", "--kms-key-id", kmsKeyId, "--route", "openai");
        assertEquals(0, result.exit(), result.err());
        assertEquals(1, result.out().lines().count(), "stdout holds only the reference: " + result.out());
        assertTrue(result.reference().startsWith("kms:"), result.out());
        assertFalse(result.err().contains(KEY), "the key must not be echoed");

        KeyReference ref = KeyReference.parse(result.reference());
        assertEquals(KEY, new KmsKeyResolver(aws::kms).resolve("openai", ref));
    }

    @Test
    void encryptKeyAcceptsAnAlias() throws Exception {
        String alias = "alias/llm-relay-" + UUID.randomUUID();
        aws.kms().createAlias(b -> b.aliasName(alias).targetKeyId(kmsKeyId));
        Encrypted result = encryptKey(KEY, "--kms-key-id=" + alias, "--route=openai");
        assertEquals(0, result.exit(), result.err());
        assertEquals(KEY, new KmsKeyResolver(aws::kms).resolve("openai", KeyReference.parse(result.reference())));
    }

    @Test
    void ciphertextMovedToAnotherRouteDoesNotDecrypt() throws Exception {
        String reference = encryptKey(KEY, "--kms-key-id", kmsKeyId, "--route", "openai").reference();
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> new KmsKeyResolver(aws::kms).resolve("groq", KeyReference.parse(reference)));
        assertTrue(e.getMessage().startsWith("route 'groq': "), e.getMessage());
        assertTrue(e.getMessage().contains("another route"), e.getMessage());
        assertFalse(KeySourceFailure.isTransient(e), "a refusal is definite");
        assertNoSecretIn(e, reference.substring("kms:".length()));
    }

    @Test
    void garbageCiphertextIsUnavailable() {
        String garbage = "AQICAHh" + "x".repeat(120) + "==";
        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> new KmsKeyResolver(aws::kms).resolve("openai", KeyReference.parse("kms:" + garbage)));
        assertTrue(e.getMessage().startsWith("route 'openai': "), e.getMessage());
        assertNoSecretIn(e, garbage);
    }

    @Test
    void secretsManagerPlainSecret() throws Exception {
        String name = secret(KEY + "\n");
        assertEquals(KEY, resolver().resolve("openai", KeyReference.parse("secretsmanager:" + name)));
    }

    @Test
    void secretsManagerByArn() throws Exception {
        String name = "llm-relay/" + UUID.randomUUID();
        String arn = aws.secretsManager().createSecret(b -> b.name(name).secretString(KEY)).arn();
        assertEquals(KEY, resolver().resolve("openai", KeyReference.parse("secretsmanager:" + arn)));
    }

    @Test
    void secretsManagerJsonField() throws Exception {
        String name = secret("{\"openai\": \"" + KEY + "\", \"groq\": \"gsk-other\"}");
        assertEquals(KEY, resolver().resolve("openai", KeyReference.parse("secretsmanager:" + name + "#openai")));
        assertEquals("gsk-other", resolver().resolve("groq", KeyReference.parse("secretsmanager:" + name + "#groq")));
    }

    @Test
    void secretsManagerValueThatIsAKmsReferenceIsDecryptedForTheSameRoute() throws Exception {
        String reference = encryptKey(KEY, "--kms-key-id", kmsKeyId, "--route", "openai").reference();
        String plain = secret(reference);
        String json = secret("{\"openai\": \"" + reference + "\"}");
        assertEquals(KEY, resolver().resolve("openai", KeyReference.parse("secretsmanager:" + plain)));
        assertEquals(KEY, resolver().resolve("openai", KeyReference.parse("secretsmanager:" + json + "#openai")));

        KeyUnavailableException e = assertThrows(KeyUnavailableException.class,
                () -> resolver().resolve("groq", KeyReference.parse("secretsmanager:" + plain)));
        assertTrue(e.getMessage().startsWith("route 'groq': "), e.getMessage());
        assertTrue(e.getMessage().contains("secret " + plain), e.getMessage());
        assertNoSecretIn(e, reference.substring("kms:".length()));
    }

    @Test
    void missingSecretFieldOrJsonIsUnavailableWithoutQuotingTheSecret() throws Exception {
        KeyUnavailableException missing = assertThrows(KeyUnavailableException.class,
                () -> resolver().resolve("openai", KeyReference.parse("secretsmanager:llm-relay/absent-" + UUID.randomUUID())));
        assertTrue(missing.getMessage().contains("route 'openai'"), missing.getMessage());
        assertTrue(missing.getMessage().contains("ResourceNotFoundException"), missing.getMessage());
        assertFalse(KeySourceFailure.isTransient(missing));

        String json = secret("{\"openai\": \"" + KEY + "\"}");
        KeyUnavailableException noField = assertThrows(KeyUnavailableException.class,
                () -> resolver().resolve("openai", KeyReference.parse("secretsmanager:" + json + "#groq")));
        assertTrue(noField.getMessage().contains("has no field 'groq'"), noField.getMessage());
        assertNoSecretIn(noField, KEY);

        String notJson = secret("{not json " + KEY);
        KeyUnavailableException bad = assertThrows(KeyUnavailableException.class,
                () -> resolver().resolve("openai", KeyReference.parse("secretsmanager:" + notJson + "#openai")));
        assertTrue(bad.getMessage().contains("is not a JSON object"), bad.getMessage());
        assertNoSecretIn(bad, KEY);
    }

    @Test
    void secondResolveWithinTheTtlMakesNoKmsCall() throws Exception {
        KeyReference ref = KeyReference.parse(encryptKey(KEY, "--kms-key-id", kmsKeyId, "--route", "openai").reference());
        KeyResolver standard = KeyResolvers.standard(Map.of(), Duration.ofMinutes(5), aws);
        assertEquals(KEY, standard.resolve("openai", ref));
        assertEquals(KEY, standard.resolve("openai", ref));
        assertEquals(1, calls.count("Decrypt"));
    }

    @Test
    void expiredKeyIsDecryptedAgain() throws Exception {
        KeyReference ref = KeyReference.parse(encryptKey(KEY, "--kms-key-id", kmsKeyId, "--route", "openai").reference());
        ManualClock clock = new ManualClock();
        KeyResolver cached = new CachingKeyResolver(new KmsKeyResolver(aws::kms), Duration.ofSeconds(300),
                CachingKeyResolver.DEFAULT_STALE_GRACE, clock);
        cached.resolve("openai", ref);
        clock.advance(Duration.ofSeconds(299));
        cached.resolve("openai", ref);
        assertEquals(1, calls.count("Decrypt"));
        clock.advance(Duration.ofSeconds(2));
        assertEquals(KEY, cached.resolve("openai", ref));
        assertEquals(2, calls.count("Decrypt"));
    }

    @Test
    void concurrentFirstUsesDecryptOnce() throws Exception {
        KeyReference ref = KeyReference.parse(encryptKey(KEY, "--kms-key-id", kmsKeyId, "--route", "openai").reference());
        String secretName = secret(ref.scheme().prefix() + ":" + ref.value());
        KeyResolver standard = KeyResolvers.standard(Map.of(), Duration.ofMinutes(5), aws);
        calls.delayEachCall(Duration.ofMillis(200)); // every thread arrives while the first call is out

        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                KeyReference which = i % 2 == 0 ? ref : KeyReference.parse("secretsmanager:" + secretName);
                Callable<String> task = () -> {
                    start.await();
                    return standard.resolve("openai", which);
                };
                results.add(pool.submit(task));
            }
            start.countDown();
            for (Future<String> result : results) {
                assertEquals(KEY, result.get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, calls.count("GetSecretValue"), "one Secrets Manager read for four concurrent uses");
        assertEquals(2, calls.count("Decrypt"), "one Decrypt per reference (the direct one and the one in the secret)");
    }

    /** Asserts that neither the message nor any cause's message contains {@code secret} or a long piece of it. */
    static void assertNoSecretIn(Throwable e, String secret) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()) + " " + t;
            assertFalse(text.contains(secret), "secret material in: " + text);
            if (secret.length() > 24) {
                assertFalse(text.contains(secret.substring(0, 24)), "secret material in: " + text);
            }
        }
    }

    private KeyResolver resolver() {
        return KeyResolvers.standard(Map.of(), Duration.ZERO, aws);
    }

    private String secret(String value) {
        String name = "llm-relay/" + UUID.randomUUID();
        aws.secretsManager().createSecret(b -> b.name(name).secretString(value));
        return name;
    }

    record Encrypted(int exit, String out, String err) {
        String reference() {
            List<String> lines = out.lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    Encrypted encryptKey(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = EncryptKeyCommand.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(), aws::kms);
        return new Encrypted(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}

package io.llmrelay.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.keys.EnvKeyResolver;
import io.llmrelay.keys.KeyReference;
import io.llmrelay.keys.SchemeKeyResolver;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The process-wide registry: what last-resort handlers redact with. */
class KnownSecretsTest {
    @Test
    void redactFindsARegisteredKeyInEveryFormTheScrubberDoes() {
        String key = "known-secrets-test/é+" + System.nanoTime();
        KnownSecrets.register(key);

        String escaped = key.replace("/", "\\/").replace("é", "\\u00E9").replace("+", "\\u002b");
        assertEquals("failed: {\"error\":\"bad key [redacted]\"}", KnownSecrets.redact("failed: {\"error\":\"bad key " + escaped + "\"}"));
        assertEquals("invalid header value: \"Bearer [redacted]\"", KnownSecrets.redact("invalid header value: \"Bearer " + key + "\""));
        assertEquals("provided: [redacted].", KnownSecrets.redact("provided: sk-abc*****xyz."), "masked forms too");
        assertNull(KnownSecrets.redact(null));
    }

    @Test
    void theOldestKeysMakeWayAndRedactFollowsTheCurrentSet() {
        String oldest = "oldest-known-key-" + System.nanoTime();
        KnownSecrets.register(oldest);
        assertEquals("[redacted]", KnownSecrets.redact(oldest));
        for (int i = 0; i < KnownSecrets.CAPACITY; i++) {
            KnownSecrets.register("filler-known-key-" + i + "-" + System.nanoTime());
        }
        assertFalse(KnownSecrets.snapshot().contains(oldest));
        assertEquals(KnownSecrets.CAPACITY, KnownSecrets.snapshot().size());
        assertEquals(oldest, KnownSecrets.redact(oldest));
    }

    @Test
    void everyKeyAStoreHandsOutIsRegistered() throws Exception {
        String key = "resolved-key-" + System.nanoTime();
        var resolver = new SchemeKeyResolver(Map.of(KeyReference.Scheme.ENV, new EnvKeyResolver(Map.of("K", key))));

        assertEquals(key, resolver.resolve("route", KeyReference.parse("env:K")));

        assertTrue(KnownSecrets.snapshot().contains(key));
        assertEquals("key=[redacted]", KnownSecrets.redact("key=" + key));
    }
}

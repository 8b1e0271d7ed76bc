package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class KeyReferenceTest {
    @Test
    void parsesEachScheme() {
        assertEquals(new KeyReference(KeyReference.Scheme.ENV, "OPENAI_API_KEY"), KeyReference.parse("env:OPENAI_API_KEY"));
        assertEquals(KeyReference.Scheme.KMS, KeyReference.parse("kms:AQICAHh+abc/def==").scheme());
        KeyReference sm = KeyReference.parse("secretsmanager:arn:aws:secretsmanager:eu-west-1:123:secret:openai-AbC");
        assertEquals(KeyReference.Scheme.SECRETS_MANAGER, sm.scheme());
        assertEquals("arn:aws:secretsmanager:eu-west-1:123:secret:openai-AbC", sm.value());
    }

    @Test
    void refusesKeysWithoutRepeatingThem() {
        for (String text : new String[] {"sk-proj-SECRETSECRET", "Bearer SECRETSECRET", "ENV:SECRETSECRET", "env:SECRET SECRET"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KeyReference.parse(text));
            assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse(""));
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("env:"));
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("kms:"));
        assertThrows(IllegalArgumentException.class, () -> KeyReference.parse("secretsmanager: x"));
    }

    @Test
    void toStringIsSafeToLog() {
        assertEquals("env:OPENAI_API_KEY", KeyReference.env("OPENAI_API_KEY").toString());
        String kms = KeyReference.parse("kms:AQICAHhCIPHERTEXT").toString();
        assertTrue(kms.startsWith("kms:"), kms);
        assertFalse(kms.contains("CIPHERTEXT"), kms);
    }

    @Test
    void digestIsLowerCaseHexOfUtf8() {
        // printf %s abc | sha256sum
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KeyDigest.sha256Hex("abc"));
    }
}

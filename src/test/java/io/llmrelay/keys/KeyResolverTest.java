package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

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
    void standardResolverHandlesEnvAndSaysKmsIsNotSupportedYet() throws Exception {
        KeyResolver resolver = KeyResolvers.standard(Map.of("GROQ_API_KEY", KEY));
        assertEquals(KEY, resolver.resolve("groq", KeyReference.env("GROQ_API_KEY")));

        KeyUnavailableException kms = assertThrows(KeyUnavailableException.class,
                () -> resolver.resolve("groq", KeyReference.parse("kms:AQICAHhSECRETCIPHER")));
        assertTrue(kms.getMessage().contains("route 'groq'"), kms.getMessage());
        assertTrue(kms.getMessage().contains("not supported yet in this build"), kms.getMessage());
        assertFalse(kms.getMessage().contains("SECRETCIPHER"), kms.getMessage());

        KeyUnavailableException sm = assertThrows(KeyUnavailableException.class,
                () -> resolver.resolve("groq", KeyReference.parse("secretsmanager:groq-key")));
        assertTrue(sm.getMessage().contains("secretsmanager: references, which are not supported yet"), sm.getMessage());
    }
}

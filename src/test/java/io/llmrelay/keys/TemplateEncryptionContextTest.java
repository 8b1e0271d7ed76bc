package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * template.yaml's IAM condition names the same encryption context key the code uses: if they
 * drift apart, every Decrypt on Lambda is denied, and only a deployed stack would show it.
 */
class TemplateEncryptionContextTest {
    @Test
    void decryptConditionUsesTheResolversContextKey() throws Exception {
        String template = Files.readString(Path.of("template.yaml"));
        assertTrue(template.contains("\"kms:EncryptionContext:" + KmsKeyResolver.CONTEXT_KEY + "\""),
                "template.yaml must condition kms:Decrypt on kms:EncryptionContext:" + KmsKeyResolver.CONTEXT_KEY);
        assertTrue(template.contains("\"kms:EncryptionContextKeys\": [\"" + KmsKeyResolver.CONTEXT_KEY + "\"]"),
                "template.yaml must allow no other encryption context key");
    }
}

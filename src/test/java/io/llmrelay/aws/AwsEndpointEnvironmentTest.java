package io.llmrelay.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.keys.KeyDigest;
import io.llmrelay.testing.MotoServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production set-up ({@link AwsClients#standard()}, no endpoint in code) reaches moto through
 * the standard {@code AWS_ENDPOINT_URL} variables, read by the SDK itself, in a fresh JVM: the
 * general one, and the service-specific ones taking precedence over it.
 */
class AwsEndpointEnvironmentTest {
    private static final String KEY = "sk-proj-ENDPOINT-0123456789";
    private static final String DEAD = "http://127.0.0.1:9";

    private static MotoServer moto;
    private static AwsClients admin;
    private static String kmsKeyId;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        admin = new AwsClients(moto.settings());
        kmsKeyId = admin.kms().createKey(b -> b.description("endpoint test")).keyMetadata().keyId();
    }

    @AfterAll
    static void stop() {
        if (admin != null) {
            admin.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void generalEndpointVariableReachesMotoForEncryptKeyAndDecrypt() throws Exception {
        Map<String, String> env = ChildJvm.awsEnvironment(Map.of("AWS_ENDPOINT_URL", moto.endpoint().toString()));
        String reference = encryptKey(env, "openai");
        assertTrue(reference.startsWith("kms:"), reference);
        assertEquals("key " + KeyDigest.sha256Hex(KEY), firstKey(env, "openai", reference));
    }

    @Test
    void serviceSpecificEndpointVariablesWinOverTheGeneralOne() throws Exception {
        Map<String, String> env = ChildJvm.awsEnvironment(Map.of(
                "AWS_ENDPOINT_URL", DEAD,
                "AWS_ENDPOINT_URL_KMS", moto.endpoint().toString(),
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", moto.endpoint().toString()));
        String reference = encryptKey(env, "openai");
        String secret = "llm-relay/endpoint-test";
        admin.secretsManager().createSecret(b -> b.name(secret).secretString("{\"openai\": \"" + reference + "\"}"));
        assertEquals("key " + KeyDigest.sha256Hex(KEY), firstKey(env, "openai", "secretsmanager:" + secret + "#openai"));
    }

    @Test
    void theSdkGoesWhereTheVariableSaysEvenWhenNothingAnswers() throws Exception {
        Map<String, String> env = ChildJvm.awsEnvironment(Map.of("AWS_ENDPOINT_URL", DEAD));
        String reference = "kms:" + java.util.Base64.getEncoder().encodeToString(new byte[64]);
        String answer = firstKey(env, "openai", reference);
        assertTrue(answer.startsWith("unavailable route 'openai': KMS Decrypt failed: no answer from the service"), answer);
    }

    private static String encryptKey(Map<String, String> env, String route) throws Exception {
        String out = ChildJvm.run(ChildJvm.builder(EncryptKeyMain.class, List.of(), env,
                "--kms-key-id", kmsKeyId, "--route", route), KEY + "\n");
        List<String> lines = out.lines().toList();
        return lines.get(lines.size() - 1);
    }

    private static String firstKey(Map<String, String> env, String route, String reference) throws Exception {
        String out = ChildJvm.run(ChildJvm.builder(FirstKeyProbe.class, List.of(), env, "lazy", route, reference), "go\n");
        List<String> lines = out.lines().toList();
        assertEquals("ready", lines.get(0), out);
        return lines.get(1);
    }
}

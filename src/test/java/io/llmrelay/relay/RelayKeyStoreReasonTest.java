package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.keys.KmsKeyResolver;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.testing.MotoServer;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;

/**
 * When a key store says no, the request log says why, in the resolver's own safe words, and never
 * the ciphertext: KMS refusing a ciphertext made for another route, and Secrets Manager not
 * finding a secret, against moto_server (real KMS encryption) through serve.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayKeyStoreReasonTest {
    private static MotoServer moto;
    private static AwsClients aws;
    private static String movedCiphertext;

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> {
        moto = MotoServer.start();
        aws = new AwsClients(moto.settings());
        String keyId = aws.kms().createKey(b -> b.description("llm-relay reasons")).keyMetadata().keyId();
        // Encrypted for route "elsewhere", configured on route "moved": KMS refuses it (encryption context).
        movedCiphertext = Base64.getEncoder().encodeToString(aws.kms().encrypt(b -> b.keyId(keyId)
                .plaintext(SdkBytes.fromUtf8String("sk-test-moved-SECRET"))
                .encryptionContext(KmsKeyResolver.encryptionContext("elsewhere"))).ciphertextBlob().asByteArray());
        return RelayUnderTest.config(null,
                RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true"),
                """
                {"name": "moved", "baseUrl": "%s", "apiKey": "kms:%s", "models": ["moved-model"]},
                {"name": "nosecret", "baseUrl": "%s", "apiKey": "secretsmanager:llm-relay/no-such-secret",
                 "models": ["nosecret-model"]}""".formatted(upstream.baseUrl(), movedCiphertext, upstream.baseUrl()));
    }).serving(serve -> serve.customize(setup -> setup.withLogLevel(LogLevel.DEBUG)
            .withKeys(KeyResolvers.standard(RelayUnderTest.upstreamKeyEnv(), Duration.ofMinutes(5), aws))));

    @AfterAll
    static void stopMoto() {
        if (aws != null) {
            aws.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void kmsRefusingTheCiphertextIsLoggedWithKmsReasonAndNoCiphertext() throws Exception {
        HttpResponse<String> response = served.client().postChat(CHAT.replace("gpt-4o-mini", "moved-model"));

        assertOpenAiError(response, 503, "upstream_key_unavailable");
        JsonNode line = LogLines.lastRequestLine(served.relay());
        assertTrue(line.get("errorDetail").asText().startsWith("route 'moved': KMS cannot decrypt the kms: apiKey for"
                + " this route: it was encrypted for another route"), line.toString());
        assertEquals("key_unavailable", line.get("attemptLog").get(0).get("outcome").asText());
        assertNoCiphertextIn(served.relay().output() + served.client().everythingReceived());
        assertEquals(0, served.upstream().requestCount());
    }

    @Test
    void secretsManagerNotFindingTheSecretIsLoggedWithTheServicesErrorCode() throws Exception {
        HttpResponse<String> response = served.client().postChat(CHAT.replace("gpt-4o-mini", "nosecret-model"));

        assertOpenAiError(response, 503, "upstream_key_unavailable");
        String detail = LogLines.lastRequestLine(served.relay()).get("errorDetail").asText();
        assertTrue(detail.startsWith("route 'nosecret': Secrets Manager GetSecretValue for secret"
                + " llm-relay/no-such-secret failed: ResourceNotFoundException"), detail);
        assertFalse(response.body().contains("ResourceNotFoundException"), "the caller is told which route, not why");
    }

    private static void assertNoCiphertextIn(String text) {
        assertFalse(text.contains(movedCiphertext.substring(0, 40)), "the ciphertext was printed or sent");
        assertFalse(text.contains("sk-test-moved-SECRET"), "the plaintext was printed or sent");
    }
}

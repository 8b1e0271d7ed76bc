package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Who may call: the caller's key as a Bearer token or in {@code x-api-key}, checked before anything else. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayCallerAuthTest {
    private static final String WRONG_KEY = "rk-test-not-the-caller-key-987";

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    /** A 401 {@code invalid_api_key} that went nowhere near the upstream and does not repeat the key. */
    private static JsonNode assertRefused(HttpResponse<String> response) {
        JsonNode error = assertOpenAiError(response, 401, "invalid_api_key");
        assertEquals("Bearer", response.headers().firstValue("www-authenticate").orElse(null));
        assertFalse(response.body().contains(WRONG_KEY), "the presented key is not echoed");
        assertEquals(0, served.upstream().requestCount(), "nothing went upstream");
        return error;
    }

    @Test
    void theCallerKeyAsABearerTokenIsAccepted() throws Exception {
        HttpResponse<String> response = served.client().send(served.client().chatWithoutKey(CHAT)
                .header("authorization", "Bearer " + RelayUnderTest.CALLER_KEY));

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void theBearerSchemeIgnoresCase() throws Exception {
        HttpResponse<String> response = served.client().send(served.client().chatWithoutKey(CHAT)
                .header("authorization", "bearer " + RelayUnderTest.CALLER_KEY));

        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void theCallerKeyInXApiKeyIsAccepted() throws Exception {
        HttpResponse<String> response = served.client().send(served.client().chatWithoutKey(CHAT)
                .header("x-api-key", RelayUnderTest.CALLER_KEY));

        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void xApiKeyIsAcceptedNextToAnAuthorizationHeaderThatIsNotBearer() throws Exception {
        // A Function URL with AWS_IAM auth: Authorization carries the SigV4 signature.
        HttpResponse<String> response = served.client().send(served.client().chatWithoutKey(CHAT)
                .header("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lambda/aws4_request")
                .header("x-api-key", RelayUnderTest.CALLER_KEY));

        assertEquals(200, response.statusCode(), response.body());
    }

    @Test
    void aWrongBearerKeyIs401InvalidApiKey() throws Exception {
        assertRefused(served.client().send(served.client().chatWithoutKey(CHAT).header("authorization", "Bearer " + WRONG_KEY)));
    }

    @Test
    void aWrongXApiKeyIs401InvalidApiKey() throws Exception {
        assertRefused(served.client().send(served.client().chatWithoutKey(CHAT).header("x-api-key", WRONG_KEY)));
    }

    @Test
    void aMissingKeyIs401SayingHowToSendOne() throws Exception {
        JsonNode error = assertRefused(served.client().send(served.client().chatWithoutKey(CHAT)));

        assertTrue(error.get("message").asText().contains("x-api-key"), error.toString());
    }

    @Test
    void anEmptyBearerTokenIsAMissingKey() throws Exception {
        assertRefused(served.client().send(served.client().chatWithoutKey(CHAT).header("authorization", "Bearer ")));
    }

    @Test
    void listingModelsNeedsTheKeyToo() throws Exception {
        HttpResponse<String> response = served.client().send(HttpRequest.newBuilder(served.relay().uri("/v1/models")).GET());

        assertRefused(response);
        assertEquals(200, served.client().send(served.client().request("GET", "/v1/models", null)).statusCode());
    }

    @Test
    void withNoCallersConfiguredEveryRequestIs401SayingSo() throws Exception {
        String config = """
                {"routes": [{"name": "main", "baseUrl": "%s", "apiKey": "env:UPSTREAM_KEY",
                             "models": ["gpt-4o-mini"], "default": true}]}""".formatted(served.upstream().baseUrl());
        try (RelayUnderTest noCallers = RelayUnderTest.serve(config, RelayUnderTest.upstreamKeyEnv())) {
            RelayClient other = new RelayClient(noCallers);

            HttpResponse<String> response = other.postChat(CHAT); // with the key every other test config accepts

            JsonNode error = assertRefused(response);
            assertTrue(error.get("message").asText().contains("No callers configured"), error.toString());
            other.assertNoKeyLeaked();
        }
    }

    @Test
    void serveWithNoAuthAcceptsEveryCallerAndSaysSoLoudly() throws Exception {
        try (RelayUnderTest open = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(served.upstream().baseUrl(), null),
                RelayUnderTest.upstreamKeyEnv(), true)) {
            RelayClient other = new RelayClient(open);

            HttpResponse<String> noKey = other.send(other.chatWithoutKey(CHAT));
            HttpResponse<String> wrongKey = other.send(other.chatWithoutKey(CHAT).header("authorization", "Bearer " + WRONG_KEY));

            assertEquals(200, noKey.statusCode(), noKey.body());
            assertTrue(noKey.body().endsWith("data: [DONE]\n\n"));
            assertEquals(200, wrongKey.statusCode(), wrongKey.body());
            assertTrue(open.output().contains("AUTH IS OFF"), open.output());
            // The upstream still gets the route's key, not whatever the caller sent.
            assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, served.upstream().nextRequest().header("authorization"));
            other.assertNoKeyLeaked();
        }
    }
}

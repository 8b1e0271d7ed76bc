package io.llmrelay.relay.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.config.CallerConfig;
import io.llmrelay.keys.KeyDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallerAuthenticatorTest {
    private static final String VAPI_KEY = "rk-vapi-key-123";
    private static final String SIMLI_KEY = "rk-simli-key-456";
    private final CallerAuthenticator auth = new CallerAuthenticator(List.of(
            new CallerConfig("vapi", KeyDigest.sha256Hex(VAPI_KEY)),
            new CallerConfig("simli", KeyDigest.sha256Hex(SIMLI_KEY))));

    private static Map<String, String> headers(String... namesAndValues) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            map.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return map;
    }

    private CallerAuthenticator.Result check(String... namesAndValues) {
        return auth.authenticate(headers(namesAndValues)::get);
    }

    @Test
    void bearerKey() {
        CallerAuthenticator.Result result = check("authorization", "Bearer " + SIMLI_KEY);
        assertTrue(result.ok());
        assertEquals("simli", result.callerName());
        assertNull(result.failure());
    }

    @Test
    void bearerSchemeIsCaseInsensitive() {
        assertEquals("vapi", check("authorization", "bearer " + VAPI_KEY).callerName());
        assertEquals("vapi", check("authorization", "BEARER   " + VAPI_KEY + " ").callerName());
    }

    @Test
    void xApiKey() {
        assertEquals("vapi", check("x-api-key", VAPI_KEY).callerName());
    }

    @Test
    void iamSignedAuthorizationFallsBackToXApiKey() {
        CallerAuthenticator.Result result = check(
                "authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/lambda/aws4_request, "
                        + "SignedHeaders=host;x-amz-date, Signature=abcdef",
                "x-api-key", SIMLI_KEY);
        assertEquals("simli", result.callerName());
    }

    @Test
    void wrongKeyIsRefusedWithoutEchoingIt() {
        CallerAuthenticator.Result result = check("authorization", "Bearer rk-WRONGKEY");
        assertFalse(result.ok());
        assertNull(result.callerName());
        assertEquals(CallerAuthenticator.WRONG_KEY, result.failure());
        assertFalse(result.failure().contains("WRONGKEY"));

        CallerAuthenticator.Result viaHeader = check("x-api-key", "rk-WRONGKEY");
        assertEquals(CallerAuthenticator.WRONG_KEY, viaHeader.failure());
    }

    @Test
    void aCallersHashIsNotItsKey() {
        assertFalse(check("x-api-key", KeyDigest.sha256Hex(VAPI_KEY)).ok());
    }

    @Test
    void missingKey() {
        assertEquals(CallerAuthenticator.MISSING_KEY, check().failure());
        assertEquals(CallerAuthenticator.MISSING_KEY, check("authorization", "Bearer ").failure());
        assertEquals(CallerAuthenticator.MISSING_KEY, check("authorization", "Basic dXNlcjpwYXNz").failure());
        assertTrue(CallerAuthenticator.MISSING_KEY.contains("x-api-key"));
    }

    @Test
    void noCallersRefusesEveryoneAndSaysSo() {
        CallerAuthenticator none = new CallerAuthenticator(List.of());
        CallerAuthenticator.Result result = none.authenticate(headers("authorization", "Bearer " + VAPI_KEY)::get);
        assertFalse(result.ok());
        assertTrue(result.failure().startsWith("No callers configured"), result.failure());
        assertFalse(result.failure().contains(VAPI_KEY));
        assertEquals(result, none.authenticate(headers()::get));
    }

    @Test
    void openModeAcceptsEveryoneAsAnonymous() {
        CallerAuthenticator open = CallerAuthenticator.open();
        assertTrue(open.isOpen());
        assertEquals("anonymous", open.authenticate(headers()::get).callerName());
        assertEquals("anonymous", open.authenticate(headers("authorization", "Bearer whatever")::get).callerName());
        assertFalse(auth.isOpen());
    }
}

package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The TLS warm-up really does a handshake and an HTTPS exchange on loopback (Prewarm swallows its
 * failures, so this calls it directly, where a failure would show): its identity ships in the jar, and
 * the client, which trusts that certificate alone, accepts it.
 */
class PrewarmTlsTest {
    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aHandshakeAndAStreamedExchangeOnLoopbackComplete() throws Exception {
        try (InputStream identity = PrewarmTls.class.getResourceAsStream("prewarm-loopback.p12")) {
            assertNotNull(identity, "the loopback identity is on the class path");
        }
        assertDoesNotThrow(() -> PrewarmTls.exchange("{\"model\":\"prewarm\"}", "{\"id\":\"x\"}"));
    }
}

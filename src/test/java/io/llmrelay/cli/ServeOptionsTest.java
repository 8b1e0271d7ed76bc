package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code serve}'s command line, the function timeout in particular. */
class ServeOptionsTest {

    @Test
    void theFunctionTimeoutDefaultsToTheTemplatesAndIsGivenInSeconds() {
        assertEquals(300_000, ServeCommand.parse(new String[0]).timeoutMs());
        assertEquals(3_000, ServeCommand.parse(new String[] {"--timeout", "3"}).timeoutMs());
    }

    @Test
    void aTimeoutLambdaCouldNotHaveIsRefused() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.parse(new String[] {"--timeout", "901"}));
        assertTrue(tooLong.getMessage().contains("between 1 and 900"), tooLong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ServeCommand.parse(new String[] {"--timeout"}));
    }

    @Test
    void theUsageMentionsTheTimeoutAndTheLogLevel() {
        assertTrue(ServeCommand.USAGE.contains("--timeout"));
        assertTrue(ServeCommand.USAGE.contains("RELAY_LOG_LEVEL"));
    }
}

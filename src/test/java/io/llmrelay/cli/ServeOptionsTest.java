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
    void asManyInvocationsMayWaitAsMayRunUnlessQueueSaysOtherwise() {
        assertEquals(16, ServeCommand.parse(new String[0]).queue());
        assertEquals(4, ServeCommand.parse(new String[] {"--concurrency", "4"}).queue());
        assertEquals(0, ServeCommand.parse(new String[] {"--concurrency", "4", "--queue", "0"}).queue());
        assertEquals(50, ServeCommand.parse(new String[] {"--queue", "50"}).queue());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.parse(new String[] {"--queue", "-1"}));
        assertTrue(negative.getMessage().contains("--queue must be between 0 and 10000"), negative.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                () -> ServeCommand.parse(new String[] {"--queue", "many"}));
        assertTrue(word.getMessage().contains("--queue needs a whole number"), word.getMessage());
    }

    @Test
    void theUsageMentionsTheTimeoutAndTheLogLevel() {
        assertTrue(ServeCommand.USAGE.contains("--timeout"));
        assertTrue(ServeCommand.USAGE.contains("RELAY_LOG_LEVEL"));
    }
}

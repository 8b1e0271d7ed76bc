package io.llmrelay.relay.attempt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The retry-wait arithmetic at its extremes: whatever the upstream asks for and however large the
 * budget, the wait chosen fits what is left of the budget and of the time, or there is none. Before,
 * {@code waitedMs + wait > budget} overflowed for a wait near {@code Long.MAX_VALUE} milliseconds
 * and let it through wherever no deadline stood behind it.
 */
class RetryWaitsTest {
    private static final long NO_DEADLINE = Long.MAX_VALUE;

    @Test
    void anAskedWaitNearLongMaxIsNeverAWaitThatFits() {
        for (long asked : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE - 200, Long.MAX_VALUE / 2 + 1}) {
            for (long waited : new long[] {0, 1, 200, 4_999}) {
                assertEquals(Optional.empty(), RetryWaits.nextWait(2, Optional.of(Duration.ofMillis(asked)), waited,
                        5_000, NO_DEADLINE), "asked " + asked + " after " + waited);
            }
        }
        assertEquals(Optional.empty(), RetryWaits.nextWait(1, Optional.of(Duration.ofSeconds(Long.MAX_VALUE)), 0,
                Long.MAX_VALUE, NO_DEADLINE), "a Duration too long for milliseconds");
    }

    @Test
    void anyWaitChosenFitsTheBudgetLeftAndTheTimeLeft() {
        Random random = new Random(42);
        long[] extremes = {0, 1, 124, 250, 5_000, 900_000, Integer.MAX_VALUE, Long.MAX_VALUE / 2, Long.MAX_VALUE - 1,
            Long.MAX_VALUE};
        for (int i = 0; i < 100_000; i++) {
            long asked = random.nextBoolean() ? extremes[random.nextInt(extremes.length)] : random.nextLong(Long.MAX_VALUE);
            long budget = random.nextBoolean() ? extremes[random.nextInt(extremes.length)] : random.nextLong(Long.MAX_VALUE);
            long waited = budget == 0 ? 0 : random.nextLong(budget);
            long left = random.nextBoolean() ? NO_DEADLINE : extremes[random.nextInt(extremes.length)];
            int retry = 1 + random.nextInt(40);
            Optional<Duration> wait = RetryWaits.nextWait(retry, random.nextBoolean() ? Optional.of(Duration.ofMillis(asked))
                    : Optional.empty(), waited, budget, left);
            if (wait.isPresent()) {
                long ms = wait.get().toMillis();
                assertTrue(ms >= 0 && ms <= budget - waited && ms < left,
                        () -> ms + " ms chosen with " + (budget - waited) + " ms of budget and " + left + " ms left");
            }
        }
    }

    @Test
    void hugeHeaderValuesParseToSaturatedWaitsNotErrors() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        for (String value : new String[] {"9223372036854775807", "1e300", "1e308", "99999999999999999999999"}) {
            assertEquals(Optional.of(Duration.ofMillis(Long.MAX_VALUE)),
                    RetryWaits.retryAfter(Map.of("retry-after-ms", value), now), value);
            assertEquals(Optional.of(Duration.ofMillis(Long.MAX_VALUE)),
                    RetryWaits.retryAfter(Map.of("retry-after", value), now), value);
        }
        assertEquals(Optional.empty(), RetryWaits.retryAfter(Map.of("retry-after", "Infinity"), now));
        assertTrue(RetryWaits.retryAfter(Map.of("retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"), now).orElseThrow()
                .toMillis() > 0, "the furthest HTTP date still fits in milliseconds");
    }
}

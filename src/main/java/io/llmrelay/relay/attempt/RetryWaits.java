package io.llmrelay.relay.attempt;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Random;

/**
 * How long to wait before retrying an upstream: jittered exponential backoff, or longer when the
 * upstream said so with {@code retry-after}. Jitter keeps a crowd of relays that failed together
 * from retrying together.
 */
public final class RetryWaits {
    /** The first retry waits between half of this and all of it; each later one twice as long. */
    public static final long BASE_BACKOFF_MS = 250;

    /**
     * The jitter's generator, seeded from {@link SecureRandom}. Not {@code ThreadLocalRandom}: its
     * threads are seeded from one static seeder made at class init, so every execution environment
     * restored from one SnapStart snapshot would draw the same waits and a crowd of relays that
     * failed together would retry together. {@link #reseed()} after a restore gives each its own.
     * {@code Random} is thread-safe; retries are rare, so its contention does not matter.
     */
    private static volatile Random jitter = seeded();

    private RetryWaits() {}

    /** New jitter for this environment: call after a SnapStart restore (README "SnapStart"). */
    public static void reseed() {
        jitter = seeded();
    }

    private static Random seeded() {
        return new Random(new SecureRandom().nextLong());
    }

    /** The wait before retry number {@code retry} (1 for the first retry): uniform in [b/2, b], b = base * 2^(retry-1). */
    static Duration backoff(int retry) {
        long ceiling = BASE_BACKOFF_MS << Math.min(Math.max(retry - 1, 0), 16);
        return Duration.ofMillis(ceiling / 2 + jitter.nextLong(ceiling / 2 + 1));
    }

    /**
     * The wait before retry number {@code retry}: the backoff, or what the upstream asked for when
     * that is longer; empty when that wait does not fit (more than the budget has left, or not
     * before the deadline), and then the failure stands. Every comparison is a subtraction of
     * small non-negative numbers or against a saturated value, so no header and no budget can
     * overflow it into a wait that "fits".
     *
     * @param waitedMs   time already waited between this route's attempts (at most {@code budgetMs})
     * @param millisLeft until the deadline's stop point; {@code Long.MAX_VALUE} when there is none
     */
    static Optional<Duration> nextWait(int retry, Optional<Duration> asked, long waitedMs, long budgetMs,
            long millisLeft) {
        long waitMs = backoff(retry).toMillis();
        if (asked.isPresent()) {
            waitMs = Math.max(waitMs, saturatedMillis(asked.get()));
        }
        long budgetLeft = budgetMs - Math.min(Math.max(waitedMs, 0), budgetMs);
        if (waitMs > budgetLeft || waitMs >= millisLeft) {
            // Waiting that long is worse for a live caller than the failure (or a fallback) now.
            return Optional.empty();
        }
        return Optional.of(Duration.ofMillis(waitMs));
    }

    private static long saturatedMillis(Duration wait) {
        if (wait.isNegative()) {
            return 0;
        }
        try {
            return wait.toMillis();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * What the upstream asked for: {@code retry-after-ms} (OpenAI's, and what its SDKs read first),
     * else {@code retry-after} as seconds or an HTTP date.
     *
     * @param headers response headers with lower-case names
     */
    static Optional<Duration> retryAfter(Map<String, String> headers, Instant now) {
        String millis = headers.get("retry-after-ms");
        if (millis != null) {
            try {
                double value = Double.parseDouble(millis.strip());
                if (value >= 0 && Double.isFinite(value)) {
                    return Optional.of(Duration.ofMillis((long) Math.ceil(value)));
                }
            } catch (NumberFormatException ignored) {
                // fall through to retry-after
            }
        }
        String after = headers.get("retry-after");
        if (after == null || after.isBlank()) {
            return Optional.empty();
        }
        try {
            double seconds = Double.parseDouble(after.strip());
            return seconds >= 0 && Double.isFinite(seconds)
                    ? Optional.of(Duration.ofMillis((long) Math.ceil(seconds * 1000))) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(after.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration wait = Duration.between(now, at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}

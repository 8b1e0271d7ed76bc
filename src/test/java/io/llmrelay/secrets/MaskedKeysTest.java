package io.llmrelay.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The masked-key finder against the regular expression it replaces (which was right, only
 * quadratic): over random texts, it must redact exactly the stretches the expression matched,
 * adjacent matches counting as one stretch.
 */
class MaskedKeysTest {
    /** What {@code UpstreamKeyScrubber} used, kept here as the reference. */
    private static final Pattern OLD = Pattern.compile("[A-Za-z0-9_\\-]*\\*{3,}[A-Za-z0-9_\\-]*");
    private static final String ALPHABET = "aZ9_-*** .é";

    @Test
    void redactsWhatTheOldExpressionMatchedOverRandomTexts() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int n = 0; n < 20_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
            String input = text.toString();
            assertEquals(reference(input), SecretScrubber.NONE.scrubUpstreamError(input), "seed " + seed + ": " + input);
        }
    }

    @Test
    void providersMaskedKeysAreRedactedAndTheirWordsKept() {
        assertEquals("Incorrect API key provided: [redacted]. You can find your API key at https://platform.openai.com.",
                SecretScrubber.NONE.scrubUpstreamError("Incorrect API key provided: sk-proj-abc1*****************wxyz."
                        + " You can find your API key at https://platform.openai.com."));
        assertEquals("key [redacted]", SecretScrubber.NONE.scrubUpstreamError("key ***"));
        assertEquals("a ** b * c", SecretScrubber.NONE.scrubUpstreamError("a ** b * c"));
        String plain = "no stars at all, just text_with-key-chars0123456789";
        assertSame(plain, SecretScrubber.NONE.scrubUpstreamError(plain));
    }

    @Test
    void longRunsOfKeyCharsAreScannedOnceNotOncePerStart() {
        // The input that made the old expression quadratic: here a plain linear pass (no timing asserted).
        String input = "a".repeat(200_000) + "***" + "b".repeat(200_000) + " tail";
        assertEquals("[redacted] tail", SecretScrubber.NONE.scrubUpstreamError(input));
        String noStars = "a".repeat(400_000);
        assertSame(noStars, SecretScrubber.NONE.scrubUpstreamError(noStars));
    }

    /** The old expression's matches, touching ones merged, each stretch replaced once. */
    private static String reference(String text) {
        StringBuilder out = new StringBuilder();
        Matcher m = OLD.matcher(text);
        int from = 0;
        int start = -1;
        int end = -1;
        while (m.find()) {
            if (start >= 0 && m.start() > end) {
                out.append(text, from, start).append(KnownSecrets.REDACTED);
                from = end;
                start = -1;
            }
            if (start < 0) {
                start = m.start();
            }
            end = m.end();
        }
        if (start >= 0) {
            out.append(text, from, start).append(KnownSecrets.REDACTED);
            from = end;
        }
        return out.append(text.substring(from)).toString();
    }
}

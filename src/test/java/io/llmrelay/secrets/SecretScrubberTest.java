package io.llmrelay.secrets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmrelay.testing.JsonEscapeForms;
import io.llmrelay.testing.JsonEscapeForms.Form;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The scrubber on chosen inputs; {@link SecretScrubberDifferentialTest} holds it to Jackson on random ones. */
class SecretScrubberTest {
    private static final String KEY = "sk-ab/c+d=é\u00a0Z";

    private static String scrubJson(SecretScrubber scrubber, String json) {
        return new String(scrubber.scrub(json.getBytes(UTF_8)), UTF_8);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void aKeyWrittenWhollyInOneEscapeFormIsRedacted(Form form) {
        SecretScrubber scrubber = SecretScrubber.of(List.of(KEY));
        String json = "{\"message\":\"bad key " + JsonEscapeForms.all(KEY, form, new Random(1)) + ".\"}";

        assertEquals("{\"message\":\"bad key [redacted].\"}", scrubJson(scrubber, json));
        assertEquals("{\"message\":\"bad key [redacted].\"}", scrubber.scrub(json), "the text form agrees");
    }

    @Test
    void everyCharOfTheKeyInEveryFormAlone() {
        SecretScrubber scrubber = SecretScrubber.of(List.of(KEY));
        Random random = new Random(2);
        for (int i = 0; i < KEY.length(); i++) {
            for (Form form : JsonEscapeForms.formsOf(KEY.charAt(i))) {
                String quoted = KEY.substring(0, i) + JsonEscapeForms.all(KEY.substring(i, i + 1), form, random)
                        + KEY.substring(i + 1);
                assertEquals("\"[redacted]\"", scrubJson(scrubber, "\"" + quoted + "\""), quoted);
            }
        }
    }

    @Test
    void shortEscapesAndMixedCaseHexDecodeAsAClientWould() {
        String key = "a\"b\\c/d\be\ff\ng\rh\ti";
        SecretScrubber scrubber = SecretScrubber.of(List.of(key));
        assertEquals("x[redacted]y", scrubJson(scrubber, "xa\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\tiy"));
        assertEquals("[redacted]", scrubJson(SecretScrubber.of(List.of("+")), "\\u002b"));
        assertEquals("[redacted]", scrubJson(SecretScrubber.of(List.of("é")), "\\u00E9"));
        assertEquals("[redacted]", scrubJson(SecretScrubber.of(List.of("\u00ea")), "\\u00eA"));
    }

    @Test
    void charsBeyondTheBasicPlaneMatchRawOrAsASurrogatePairInAnyCase() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("k\uD83D\uDE00y"));
        assertEquals("[redacted]", scrubJson(scrubber, "k\uD83D\uDE00y"));
        assertEquals("[redacted]", scrubJson(scrubber, "k\\ud83d\\ude00y"));
        assertEquals("[redacted]", scrubJson(scrubber, "k\\uD83d\\uDE00y"));
        assertEquals("k\\ud83dy", scrubJson(scrubber, "k\\ud83dy"), "half a pair is not the key");
    }

    @Test
    void invisibleCharsInAKeyAreMatchedExactly() {
        for (String key : List.of("sk\u200Bkey", "\uFEFFsk-key", "sk\u00adkey", "sk\u0000key", "sk\u007fkey")) {
            SecretScrubber scrubber = SecretScrubber.of(List.of(key));
            String escaped = JsonEscapeForms.all(key, Form.LOWER_HEX, new Random(3));
            assertEquals("<[redacted]>", scrubJson(scrubber, "<" + escaped + ">"), escaped);
            assertEquals("<[redacted]>", scrubber.scrub("<" + key + ">"));
            assertEquals("<skkey>", scrubJson(scrubber, "<skkey>"), "without the invisible char it is not the key");
        }
    }

    @Test
    void keysAtTheEdgesOfTheInput() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("secret"));
        assertEquals("[redacted]", scrubJson(scrubber, "secret"));
        assertEquals("[redacted] and [redacted]", scrubJson(scrubber, "secret and secret"));
        assertEquals("[redacted]", scrubJson(scrubber, "\\u0073ecre\\u0074"));
        assertEquals("a[redacted]", scrubJson(scrubber, "asecre\\u0074"));
        assertEquals("secre\\u007", scrubJson(scrubber, "secre\\u007"), "a cut escape is no escape");
        assertEquals("[redacted]\\", scrubJson(scrubber, "secret\\"), "a lone backslash at the end is a backslash");
    }

    @Test
    void partialMatchesThatOverlapAreFollowedWithoutBacktracking() {
        assertEquals("a[redacted]", scrubJson(SecretScrubber.of(List.of("aab")), "aaab"));
        assertEquals("ab[redacted]", scrubJson(SecretScrubber.of(List.of("abac")), "ababac"));
        assertEquals("aaaaaaaaaaaaaaaaaaaa", scrubJson(SecretScrubber.of(List.of("aaab")), "aaaaaaaaaaaaaaaaaaaa"));
        assertEquals("[redacted]", scrubJson(SecretScrubber.of(List.of("aa")), "aaaaa"), "overlapping matches merge");
    }

    @Test
    void severalKeysIncludingOneInsideAnotherLeaveOneMarkerPerStretch() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("abcdef", "cd", "xyz", "efgh"));
        assertEquals("[redacted]", scrubJson(scrubber, "abcdefgh"));
        assertEquals("a[redacted]b", scrubJson(scrubber, "acdb"));
        assertEquals("[redacted]-[redacted]", scrubJson(scrubber, "xyz-abcdef"));
        assertEquals("[redacted]", scrubJson(scrubber, "xyzabc\\u0064ef"), "touching matches merge too");
    }

    @Test
    void anInputWithoutAKeyComesBackAsTheSameArrayAndString() {
        SecretScrubber scrubber = SecretScrubber.of(List.of(KEY, "other-key"));
        byte[] chunk = "data: {\"content\":\"caf\\u00e9 \\\"sk-ab\\\" sk-ab/c+d=é\\n 😀\"}\n\n".getBytes(UTF_8);
        byte[] copy = chunk.clone();
        assertSame(chunk, scrubber.scrub(chunk));
        assertArrayEquals(copy, chunk, "nothing was written into the input");
        String text = "no key here: sk-ab/c+d=e";
        assertSame(text, scrubber.scrub(text));
        byte[] empty = new byte[0];
        assertSame(empty, scrubber.scrub(empty));
        assertSame(chunk, SecretScrubber.NONE.scrub(chunk));
    }

    @Test
    void invalidEscapesAndInvalidUtf8AreReadOnAndDoNotHideAKey() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("key"));
        assertEquals("\\x[redacted]", scrubJson(scrubber, "\\xkey"));
        assertEquals("\\u12G4[redacted]", scrubJson(scrubber, "\\u12G4key"));
        assertEquals("\\[redacted]", scrubJson(scrubber, "\\key"), "backslash-k is no escape, so the k is the key's");
        byte[] broken = {(byte) 0xFF, 'k', 'e', 'y', (byte) 0xC3, (byte) 0xE2, (byte) 0x82, 'k', 'e', 'y',
                (byte) 0xF0, (byte) 0x9F, (byte) 0x98};
        byte[] scrubbed = scrubber.scrub(broken);
        assertEquals(2, countOf(new String(scrubbed, UTF_8), "[redacted]"));
        assertEquals(broken[0], scrubbed[0]);
        byte[] overlongSlash = {(byte) 0xC0, (byte) 0xAF};
        assertEquals("[redacted]", new String(SecretScrubber.of(List.of("/")).scrub(overlongSlash), UTF_8),
                "an overlong form is read as a lenient client would");
    }

    @Test
    void randomBytesNeverBreakTheScan() {
        Random random = new Random(4);
        SecretScrubber scrubber = SecretScrubber.of(List.of("\\u", "k\\", "\uFFFD", "é"));
        byte[] alphabet = {'\\', 'u', '0', 'e', 'E', '9', 'k', '"', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, (byte) 0x80, (byte) 0xF0};
        for (int i = 0; i < 5000; i++) {
            byte[] input = new byte[random.nextInt(24)];
            for (int j = 0; j < input.length; j++) {
                input[j] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            assertDoesNotThrow(() -> scrubber.scrub(input), () -> Arrays.toString(input));
            String text = new String(input, UTF_8);
            assertDoesNotThrow(() -> scrubber.scrubUpstreamError(text), text);
        }
    }

    @Test
    void aKeyWithABackslashIsFoundAsItIsToo() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("ab\\ncd"));
        assertEquals("log: [redacted]", scrubber.scrub("log: ab\\ncd"));
        assertEquals("\"[redacted]\"", scrubJson(scrubber, "\"ab\\\\ncd\""));
        assertEquals("\"[redacted]\"", scrubJson(scrubber, "\"ab\\u005cncd\""));
    }

    @Test
    void maskedKeysAreOnlyLookedForInUpstreamErrorText() throws Exception {
        SecretScrubber scrubber = SecretScrubber.of(List.of("sk-whole"));
        String text = "Incorrect API key provided: sk-abc1*****wxyz. Or sk-whole.";
        assertEquals("Incorrect API key provided: [redacted]. Or [redacted].", scrubber.scrubUpstreamError(text));
        assertEquals("Incorrect API key provided: sk-abc1*****wxyz. Or [redacted].", scrubber.scrub(text));
        byte[] escaped = "\"sk-abc1\\u002a\\u002A*wxyz\"".getBytes(UTF_8);
        assertEquals("\"[redacted]\"", new String(scrubber.scrubUpstreamError(escaped, () -> false), UTF_8));
        assertSame(escaped, scrubber.scrub(escaped), "an answer keeps its stars");
    }

    @Test
    void theDeadlineIsAskedOncePerMegabyteAndEndsTheScan() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("key"));
        AtomicInteger asked = new AtomicInteger();
        byte[] small = "x".repeat(CharFeed.CHECK_EVERY - 1).getBytes(UTF_8);
        assertDoesNotThrow(() -> scrubber.scrub(small, () -> asked.incrementAndGet() > 0));
        assertEquals(0, asked.get(), "a small input never looks at the clock");
        for (String filler : List.of("x", "\\n", "é")) {
            byte[] large = filler.repeat(3 * CharFeed.CHECK_EVERY / filler.length()).getBytes(UTF_8);
            asked.set(0);
            assertDoesNotThrow(() -> scrubber.scrub(large, () -> asked.incrementAndGet() < 0));
            assertEquals(true, asked.get() >= 2 && asked.get() <= 6, filler + ": asked " + asked.get());
            assertThrows(ScrubTimeoutException.class, () -> scrubber.scrub(large, () -> true));
            assertThrows(ScrubTimeoutException.class, () -> scrubber.scrubUpstreamError(large, () -> true));
            assertThrows(ScrubTimeoutException.class, () -> scrubber.scrubUpstreamError(new String(large, UTF_8), () -> true));
        }
    }

    private static int countOf(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }
}

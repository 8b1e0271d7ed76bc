package io.llmrelay.upstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpFieldRules} against the JDK itself: for thousands of generated header names and
 * values, the relay's rule says "refused" exactly when {@code HttpRequest.Builder} throws. A rule
 * that drifted from the JDK's (a JDK update, a typo in a range) fails here, not on a request.
 */
class HttpFieldRulesTest {
    private static final URI ANY = URI.create("http://127.0.0.1/v1/chat/completions");
    /** Characters from every class the rules distinguish: tokens, separators, controls, DEL, Latin-1, beyond. */
    private static final String ALPHABET = "aZ09-_.~!#$%&'*+^`|" + " \t\r\n\u0000\u0007\u001f\u007f" + "\"(),/:;<=>?@[\\]{}"
            + "\u0080\u00a0\u00e9\u00ff" + "\u0100\u200b\ufeff\u2713\u0416" + "\ud83d\ude00";

    @Test
    void aValueIsRefusedExactlyWhenTheJdkRefusesIt() {
        Random random = new Random(20240901);
        for (int i = 0; i < 20_000; i++) {
            String value = randomText(random, 0, 12);
            boolean jdk = jdkAcceptsValue(value);
            Optional<String> problem = HttpFieldRules.valueProblem(value);
            assertEquals(jdk, problem.isEmpty(), () -> "value " + escaped(value) + ": JDK accepts=" + jdk + ", rule says " + problem);
        }
    }

    @Test
    void aNameIsSendableExactlyWhenTheJdkLetsARequestSetIt() {
        Random random = new Random(7);
        List<String> restricted = List.of("Host", "CONNECTION", "content-length", "Expect", "upgrade");
        for (String name : restricted) {
            assertFalse(HttpFieldRules.isSendableName(name), name);
            assertFalse(jdkAcceptsName(name), name);
        }
        for (int i = 0; i < 20_000; i++) {
            String name = randomText(random, 0, 8);
            boolean jdk = jdkAcceptsName(name);
            assertEquals(jdk, HttpFieldRules.isSendableName(name), () -> "name " + escaped(name) + ": JDK accepts=" + jdk);
        }
    }

    @Test
    void theProblemNamesTheCharacterByCodePointAndNeverQuotesTheValue() {
        String key = "sk-proj-abc\u200bdef";
        String problem = HttpFieldRules.valueProblem(key).orElseThrow();
        assertEquals("contains a character not allowed in an HTTP header value (U+200B)", problem);
        assertFalse(problem.contains("sk-proj"), problem);
        assertEquals("contains a character not allowed in an HTTP header value (U+1F600)",
                HttpFieldRules.valueProblem("x\ud83d\ude00").orElseThrow(), "a surrogate pair is one code point");
        assertTrue(HttpFieldRules.valueProblem("Bearer sk-Grüße\u00ff \tok").isEmpty(), "Latin-1, space and tab pass");
    }

    private static boolean jdkAcceptsValue(String value) {
        try {
            HttpRequest.newBuilder(ANY).header("X-Test", value);
            return true;
        } catch (IllegalArgumentException refused) {
            return false;
        }
    }

    private static boolean jdkAcceptsName(String name) {
        try {
            HttpRequest.newBuilder(ANY).header(name, "v");
            return true;
        } catch (IllegalArgumentException refused) {
            return false;
        }
    }

    private static String randomText(Random random, int min, int max) {
        int length = min + random.nextInt(max - min + 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            // Mostly plain characters, so that the valid side is well represented too.
            if (random.nextInt(4) > 0) {
                text.append((char) ('a' + random.nextInt(26)));
            } else {
                text.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
            }
        }
        return text.toString();
    }

    private static String escaped(String text) {
        StringBuilder out = new StringBuilder("\"");
        text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("\\u%04x", c)));
        return out.append('"').toString();
    }
}

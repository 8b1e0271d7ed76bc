package io.llmrelay.secrets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.JsonEscapeForms;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scrubber against a reference that is simple enough to be obviously right: Jackson decodes
 * every string of a JSON document, and a plain search replaces every occurrence of every key
 * (overlapping and touching occurrences as one). Over random documents whose strings quote
 * random keys, each char in a random JSON form, the scrubbed document must decode to exactly
 * what the reference makes of the original, and must be the very same array when the reference
 * finds nothing.
 */
class SecretScrubberDifferentialTest {
    /** Few distinct chars, so that keys overlap, share prefixes and turn up by chance. */
    private static final String KEY_CHARS = "ab/+=é\u00a0\u200b😀Z";
    private static final String FILLER_CHARS = KEY_CHARS + " \"\\\n\t\u0001{}:,.ü";
    private static final int DOCUMENTS = 4000;

    @Test
    void scrubbedDocumentsDecodeToWhatTheReferenceMakesOfTheOriginal() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int changed = 0;
        for (int n = 0; n < DOCUMENTS; n++) {
            List<String> keys = new ArrayList<>();
            for (int k = random.nextInt(4) + 1; k > 0; k--) {
                keys.add(randomText(random, KEY_CHARS, 1 + random.nextInt(6)));
            }
            List<String> strings = new ArrayList<>();
            StringBuilder json = new StringBuilder("[");
            for (int s = random.nextInt(4); s >= 0; s--) {
                StringBuilder value = new StringBuilder();
                for (int part = random.nextInt(5); part >= 0; part--) {
                    value.append(random.nextBoolean() ? keys.get(random.nextInt(keys.size()))
                            : randomText(random, FILLER_CHARS, random.nextInt(5)));
                }
                strings.add(value.toString());
                // A third of the documents as most encoders write them (escapes only where needed), for the plain path.
                String written = n % 3 == 0 ? JsonEscapeForms.all(value.toString(), JsonEscapeForms.Form.RAW, random)
                        : JsonEscapeForms.random(value.toString(), random);
                json.append(json.length() > 1 ? ", " : "").append('"').append(written).append('"');
            }
            byte[] raw = json.append(']').toString().getBytes(UTF_8);
            String context = "seed " + seed + ", document " + n + ": " + json + " keys " + keys;

            byte[] scrubbed = SecretScrubber.of(keys).scrub(raw);

            List<String> expected = strings.stream().map(s -> reference(s, keys)).toList();
            assertEquals(expected, decodedStrings(scrubbed), context);
            if (expected.equals(strings)) {
                assertSame(raw, scrubbed, context);
            } else {
                changed++;
            }
            assertEquals(new String(scrubbed, UTF_8), SecretScrubber.of(keys).scrub(new String(raw, UTF_8)),
                    () -> "the text form agrees; " + context);
        }
        assertTrue(changed > DOCUMENTS / 4 && changed < DOCUMENTS, "both kinds of document were tried: " + changed);
    }

    /** Every occurrence of every key in {@code text}, merged where they overlap or touch, replaced by the marker. */
    static String reference(String text, List<String> keys) {
        List<int[]> ranges = new ArrayList<>();
        for (String key : keys) {
            for (int at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + 1)) {
                ranges.add(new int[] {at, at + key.length()});
            }
        }
        ranges.sort((a, b) -> Integer.compare(a[0], b[0]));
        StringBuilder out = new StringBuilder();
        int from = 0;
        int i = 0;
        while (i < ranges.size()) {
            int start = ranges.get(i)[0];
            int end = ranges.get(i)[1];
            for (i++; i < ranges.size() && ranges.get(i)[0] <= end; i++) {
                end = Math.max(end, ranges.get(i)[1]);
            }
            out.append(text, from, start).append(KnownSecrets.REDACTED);
            from = end;
        }
        return out.append(text.substring(from)).toString();
    }

    private static List<String> decodedStrings(byte[] json) throws Exception {
        List<String> strings = new ArrayList<>();
        for (JsonNode node : Json.MAPPER.readTree(json)) {
            strings.add(node.textValue());
        }
        return strings;
    }

    private static String randomText(Random random, String alphabet, int codePoints) {
        int[] chars = alphabet.codePoints().toArray();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            out.appendCodePoint(chars[random.nextInt(chars.length)]);
        }
        return out.toString();
    }
}

package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmrelay.keys.KeyDigest;
import io.llmrelay.testing.RawHttpCaller;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Caller keys with characters outside ASCII authenticate through serve when the caller sends
 * them as UTF-8, the rule a Function URL follows (its event carries header bytes as UTF-8 text):
 * for many generated keys (Latin-1 letters, Cyrillic, CJK, emoji, invisible characters), the key
 * authenticates as {@code Authorization: Bearer} and as {@code x-api-key}; a key that differs in
 * one character does not, and neither does the same text sent in ISO-8859-1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeNonAsciiCallerKeyTest {
    private static final int KEYS = 40;
    /** Code points keys are made of: ASCII, Latin-1, Greek, Cyrillic, CJK, emoji, zero-width space, BOM. */
    private static final int[] ALPHABET = "aZ09-_.~éßñÿЖжΩλ中文鍵🔑😀\u200b\ufeff\u00a0"
            .codePoints().toArray();
    private static final List<String> keys = generatedKeys(new Random(20261202L));

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> """
            {"callers": [%s],
             "routes": [%s]}""".formatted(
            keys.stream().map(key -> "{\"name\": \"caller-%d\", \"keySha256\": \"%s\"}"
                    .formatted(keys.indexOf(key), KeyDigest.sha256Hex(key))).collect(Collectors.joining(",\n")),
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true")));

    /** Keys of 8 to 40 code points; never blank at either end (callers' keys are read stripped). */
    private static List<String> generatedKeys(Random random) {
        List<String> generated = new ArrayList<>();
        while (generated.size() < KEYS) {
            StringBuilder key = new StringBuilder("k");
            int length = 8 + random.nextInt(33);
            for (int i = 0; i < length; i++) {
                key.appendCodePoint(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            key.append('z');
            if (key.chars().anyMatch(c -> c >= 0x80) && !generated.contains(key.toString())) {
                generated.add(key.toString());
            }
        }
        return generated;
    }

    @Test
    void aNonAsciiKeySentAsUtf8AuthenticatesAndAnyOtherKeyDoesNot() throws Exception {
        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            for (String key : keys) {
                byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
                assertEquals(200, models(caller, "Authorization: Bearer ", utf8), "as a Bearer token: " + codePoints(key));
                assertEquals(200, models(caller, "x-api-key: ", utf8), "as x-api-key: " + codePoints(key));

                String other = key.substring(0, key.length() - 1) + "y";
                assertEquals(401, models(caller, "Authorization: Bearer ", other.getBytes(StandardCharsets.UTF_8)),
                        "one character off: " + codePoints(other));
                if (key.chars().allMatch(c -> c <= 0xff)) {
                    assertEquals(401, models(caller, "x-api-key: ", key.getBytes(StandardCharsets.ISO_8859_1)),
                            "the same text in ISO-8859-1 is other bytes: " + codePoints(key));
                }
            }
        }
    }

    /** {@code GET /v1/models} with the key in the given header, on one kept-alive connection. */
    private static int models(RawHttpCaller caller, String header, byte[] key) throws Exception {
        byte[] head = ("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header).getBytes(StandardCharsets.US_ASCII);
        caller.send(RawHttpCaller.concat(RawHttpCaller.concat(head, key), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        return caller.readAnswer().status();
    }

    private static String codePoints(String key) {
        return key.codePoints().mapToObj(c -> c < 0x80 ? Character.toString(c) : "U+%04X".formatted(c))
                .collect(Collectors.joining(" "));
    }
}

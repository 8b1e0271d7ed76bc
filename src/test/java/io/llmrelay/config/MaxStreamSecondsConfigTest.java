package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code maxStreamSeconds}, per route: a whole number of seconds from 1 to 900 (Lambda's longest
 * invocation), 300 when absent; anything else is refused naming the field. Checked over generated
 * values on both sides of each bound.
 */
class MaxStreamSecondsConfigTest {
    private static String config(String value) {
        return "{\"routes\": [{\"name\": \"r\", \"baseUrl\": \"https://api.example.com/v1\", \"default\": true"
                + (value == null ? "" : ", \"maxStreamSeconds\": " + value) + "}]}";
    }

    @Test
    void absentIsTheDefault() {
        assertEquals(RouteConfig.DEFAULT_MAX_STREAM_SECONDS, ConfigLoader.parse(config(null), "test").routes().getFirst()
                .maxStreamSeconds());
        assertEquals(300, RouteConfig.DEFAULT_MAX_STREAM_SECONDS);
    }

    @Test
    void everyWholeNumberFromOneTo900IsKeptAndNothingElseIsAccepted() {
        Random random = new Random(13);
        List<Integer> valid = new ArrayList<>(List.of(1, 2, 299, 300, 899, 900));
        for (int i = 0; i < 200; i++) {
            valid.add(1 + random.nextInt(900));
        }
        for (int seconds : valid) {
            assertEquals(seconds, ConfigLoader.parse(config(Integer.toString(seconds)), "test").routes().getFirst()
                    .maxStreamSeconds());
        }
        List<String> invalid = new ArrayList<>(List.of("0", "-1", "901", "1e3", "1.5", "\"60\"", "true", "[]", "{}",
                "9223372036854775808"));
        for (int i = 0; i < 100; i++) {
            invalid.add(Integer.toString(901 + random.nextInt(1_000_000)));
            invalid.add(Integer.toString(-random.nextInt(1_000_000)));
        }
        for (String value : invalid) {
            String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(config(value), "test"),
                    value).getMessage();
            assertTrue(message.contains("routes[0].maxStreamSeconds") && message.contains("from 1 to 900"),
                    value + ": " + message);
        }
    }
}

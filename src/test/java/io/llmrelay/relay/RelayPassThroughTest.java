package io.llmrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's "every other request field passes through untouched", as a property: generated
 * bodies full of fields the relay does not own (numbers huge, tiny, long, negative zero, in every
 * exponent form; strings in every escape form; nested objects in random key order) go through
 * serve, and what the upstream received is, token by token, what the caller sent, minus the
 * fields the route drops and with the route's model. On the route that asks for usage (the
 * default), the one more edit is {@code stream_options.include_usage: true}: merged into the
 * caller's {@code stream_options} (its other members kept, in order, as written) or added last;
 * a caller that set it already sends exactly what it wrote. Numbers compare as exact decimals (and by
 * sign, for negative zero), never as doubles: a double would call {@code 1e309} infinity and
 * {@code 0.1000000000000000000001} 0.1, which is exactly the change this catches.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayPassThroughTest {
    private static final int BODIES = 150;
    private static final String[] NUMBERS = {"1e309", "-1e309", "1E+400", "4.9e-324", "1e-400", "-0", "-0.0", "0.0",
        "-0e5", "0.1000000000000000000001", "123456789012345678901234567890123456789", "1.5E3", "1e0", "9007199254740993",
        "-9223372036854775809", "18446744073709551616", "2.718281828459045235360287471352662497757", "1E-7", "100"};
    private static final String[] STRINGS = {"plain", "caf\\u00e9", "caf\u00e9", "\\ud83d\\ude00", "\\/slash", "tab\\t",
        "quote\\\"", "back\\\\slash", "\\u0000nul", "emoji \ud83d\ude00", "\\u2028"};

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true, \"retries\": 0"),
            RelayUnderTest.route("renamed", upstream.baseUrl(), "[\"alias\"]",
                    "\"upstreamModel\": \"gpt-4o-2024-08-06\", \"dropFields\": [\"x_drop\"], \"retries\": 0,"
                            + " \"requestUsage\": false")));

    @Test
    void whatTheUpstreamReceivesIsWhatTheCallerSentExactly() throws Exception {
        Random random = new Random(1309);
        for (int i = 0; i < BODIES; i++) {
            boolean renamed = random.nextBoolean();
            List<String> members = new ArrayList<>();
            members.add("\"model\": \"" + (renamed ? "alias" : "gpt-4o-mini") + "\"");
            members.add("\"stream\": true");
            members.add("\"messages\": [{\"role\": \"user\", \"content\": " + string(random) + ", \"x\": " + value(random, 3) + "}]");
            for (int n = random.nextInt(6); n >= 0; n--) {
                members.add("\"x_" + i + "_" + n + "\": " + value(random, 4));
            }
            members.add(renamed ? "\"x_drop\": " + value(random, 2) : "\"metadata\": {\"call\": " + value(random, 2) + "}");
            StreamOptions options = StreamOptions.random(random);
            if (options.callerText() != null) {
                members.add(options.callerText());
            }
            java.util.Collections.shuffle(members, random);
            String body = "{" + String.join(random.nextBoolean() ? ", " : ",\n  ", members) + "}";

            HttpResponse<String> response = served.client().postChat(body);

            assertEquals(200, response.statusCode(), () -> response.body() + "\nfor " + body);
            FakeUpstream.Recorded received = served.upstream().nextRequest();
            String expected = expectedUpstream(members, renamed, options);
            String got = new String(received.rawBody(), StandardCharsets.UTF_8);
            assertSameJson(expected, got);
        }
    }

    /**
     * The caller's members, less the dropped field, with the route's model: in the caller's order;
     * on the route that asks for usage, with the caller's stream_options as that route sends it.
     */
    private static String expectedUpstream(List<String> members, boolean renamed, StreamOptions options) {
        List<String> kept = new ArrayList<>();
        for (String member : members) {
            if (member.startsWith(renamed ? "\"x_drop\"" : "\"metadata\"")) {
                continue;
            }
            if (!renamed && member.startsWith("\"stream_options\"")) {
                kept.add(options.askedText());
                continue;
            }
            kept.add(renamed && member.startsWith("\"model\"") ? "\"model\": \"gpt-4o-2024-08-06\"" : member);
        }
        if (!renamed && options.callerText() == null) {
            kept.add(options.askedText());
        }
        return "{" + String.join(",", kept) + "}";
    }

    /**
     * A caller's {@code stream_options} (absent, null, or an object holding an {@code include_usage}
     * of true, false, a string or nothing among other members) and what a route asking for usage sends.
     *
     * @param callerText the member as the caller writes it; null when the caller sends none
     * @param askedText  the member the upstream must receive on a route that asks for usage
     */
    private record StreamOptions(String callerText, String askedText) {
        private static final String ASKED = "\"stream_options\": {\"include_usage\": true}";

        static StreamOptions random(Random random) {
            switch (random.nextInt(4)) {
                case 0 -> {
                    return new StreamOptions(null, ASKED);
                }
                case 1 -> {
                    return new StreamOptions("\"stream_options\": null", ASKED);
                }
                default -> {
                    List<String> others = new ArrayList<>();
                    for (int n = random.nextInt(3); n > 0; n--) {
                        others.add("\"o_" + n + "\": " + value(random, 2));
                    }
                    String include = List.of("", "true", "false", "\"true\"").get(random.nextInt(4));
                    List<String> written = new ArrayList<>(others);
                    if (!include.isEmpty()) {
                        written.add(random.nextInt(written.size() + 1), "\"include_usage\": " + include);
                    }
                    String caller = "\"stream_options\": {" + String.join(", ", written) + "}";
                    if (include.equals("true")) {
                        return new StreamOptions(caller, caller); // the caller asked: sent as written
                    }
                    others.add("\"include_usage\": true");
                    return new StreamOptions(caller, "\"stream_options\": {" + String.join(", ", others) + "}");
                }
            }
        }
    }

    private static String value(Random random, int depth) {
        int kind = random.nextInt(depth > 0 ? 6 : 4);
        return switch (kind) {
            case 0, 1 -> number(random);
            case 2 -> string(random);
            case 3 -> random.nextBoolean() ? "null" : Boolean.toString(random.nextBoolean());
            case 4 -> {
                List<String> items = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    items.add(value(random, depth - 1));
                }
                yield "[" + String.join(",", items) + "]";
            }
            default -> {
                List<String> fields = new ArrayList<>();
                for (int n = random.nextInt(4); n > 0; n--) {
                    fields.add("\"" + (char) ('z' - random.nextInt(26)) + n + "\": " + value(random, depth - 1));
                }
                yield "{" + String.join(", ", fields) + "}";
            }
        };
    }

    private static String number(Random random) {
        if (random.nextInt(3) > 0) {
            return NUMBERS[random.nextInt(NUMBERS.length)];
        }
        StringBuilder digits = new StringBuilder(random.nextBoolean() ? "-" : "");
        digits.append(1 + random.nextInt(9));
        for (int n = random.nextInt(60); n > 0; n--) {
            digits.append(random.nextInt(10));
        }
        if (random.nextBoolean()) {
            digits.append('.').append(random.nextInt(1_000_000));
        }
        if (random.nextBoolean()) {
            digits.append(random.nextBoolean() ? 'e' : 'E').append(random.nextBoolean() ? "-" : "+").append(random.nextInt(100_000));
        }
        return digits.toString();
    }

    private static String string(Random random) {
        return "\"" + STRINGS[random.nextInt(STRINGS.length)] + STRINGS[random.nextInt(STRINGS.length)] + "\"";
    }

    /**
     * Token by token: the same structure, names in the same order, equal strings, and numbers equal
     * as exact decimals with the same sign (so negative zero stays negative zero).
     */
    private static void assertSameJson(String expected, String actual) throws IOException {
        try (JsonParser want = Json.MAPPER.createParser(expected); JsonParser got = Json.MAPPER.createParser(actual)) {
            for (JsonToken token = want.nextToken(); token != null; token = want.nextToken()) {
                JsonToken other = got.nextToken();
                assertEquals(token, other, () -> "at " + want.currentLocation() + "\nexpected " + expected + "\nreceived " + actual);
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    assertEquals(want.getText(), got.getText(), () -> "text differs\nexpected " + expected + "\nreceived " + actual);
                } else if (token.isNumeric()) {
                    String a = want.getText();
                    String b = got.getText();
                    assertTrue(new BigDecimal(a).compareTo(new BigDecimal(b)) == 0 && a.startsWith("-") == b.startsWith("-"),
                            () -> "number " + a + " arrived as " + b + "\nexpected " + expected + "\nreceived " + actual);
                }
            }
            assertEquals(null, got.nextToken(), () -> "more content upstream than sent: " + actual);
        }
    }
}

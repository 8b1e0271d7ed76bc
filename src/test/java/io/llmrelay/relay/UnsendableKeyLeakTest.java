package io.llmrelay.relay;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.JsonEscapeForms;
import io.llmrelay.testing.LeakCheck;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The other half of {@link KeyScrubPropertyTest}: keys with a char the JDK refuses in a header
 * value (U+200B, U+FEFF, controls, anything above U+00FF: common in pasted keys) cannot be sent,
 * and whatever becomes of such a request, no response and no line serve prints may hold the key
 * in any form. Should one be sent after all, the upstream quotes it back in every JSON form.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnsendableKeyLeakTest {
    private static final long SEED = Long.getLong("scrub.seed", System.nanoTime());
    private static final String REFUSED = "\u200b\ufeff\u0001\u001f\u007f\u0100\u2028\u4e2d\ud83d\ude00";
    private static final int ROUTES = 12;
    private static final List<String> KEYS = keys(new Random(SEED));

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> config(upstream.port()))
            .serving(serve -> serve.env(environment()));

    private static List<String> keys(Random random) {
        int[] refused = REFUSED.codePoints().toArray();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < ROUTES; i++) {
            StringBuilder key = new StringBuilder("sk-unsendable-" + i + "-");
            for (int n = 8 + random.nextInt(16); n > 0; n--) {
                if (random.nextInt(4) == 0) {
                    key.appendCodePoint(refused[random.nextInt(refused.length)]);
                } else {
                    key.append((char) ('a' + random.nextInt(26)));
                }
            }
            keys.add(key.appendCodePoint(refused[i % refused.length]).append("z").toString());
        }
        return keys;
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(RelayUnderTest.upstreamKeyEnv());
        for (int i = 0; i < ROUTES; i++) {
            env.put("UNSENDABLE_KEY_" + i, KEYS.get(i));
        }
        return env;
    }

    private static String config(int port) {
        String[] routes = new String[ROUTES];
        for (int i = 0; i < ROUTES; i++) {
            routes[i] = """
                    {"name": "u%d", "baseUrl": "http://127.0.0.1:%d/v1", "apiKey": "env:UNSENDABLE_KEY_%d",
                     "models": ["unsendable-%d"], "retries": 0%s}""".formatted(i, port, i, i,
                    i % 2 == 1 ? ", \"apiKeyHeader\": \"api-key\"" : "");
        }
        return RelayUnderTest.config(null, routes);
    }

    @Test
    void aKeyThatCannotBeSentLeaksNowhere() throws Exception {
        Random random = new Random(SEED + 1);
        served.upstream().respondWith(recorded -> {
            String key = KEYS.get(Integer.parseInt(recorded.body().path("model").asText().substring("unsendable-".length())));
            return Script.json(401, "{\"error\":{\"message\":\"bad key " + JsonEscapeForms.random(key, random)
                    + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}");
        });
        for (int i = 0; i < ROUTES; i++) {
            for (boolean stream : new boolean[] {true, false}) {
                HttpResponse<String> response = served.client().postChat("""
                        {"model": "unsendable-%d", "stream": %s, "messages": [{"role": "user", "content": "Hi"}]}"""
                        .formatted(i, stream));
                assertNoKey(response.headers() + "\n" + response.body(), "route u" + i + ", status " + response.statusCode());
            }
        }
        String output = served.relay().output();
        assertTrue(output.contains("\"log\":\"request\""), "serve printed its request log");
        for (String line : output.split("\n")) {
            assertNoKey(line, "a line serve printed");
        }
    }

    private static void assertNoKey(String text, String context) {
        String found = LeakCheck.findAny(text, KEYS);
        if (found != null) {
            fail("seed " + SEED + " (-Dscrub.seed=" + SEED + "), " + context + ": " + found + "\n" + Json.write(text));
        }
    }
}

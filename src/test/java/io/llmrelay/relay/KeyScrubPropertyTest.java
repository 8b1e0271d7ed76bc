package io.llmrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.llmrelay.json.Json;
import io.llmrelay.testing.JsonEscapeForms;
import io.llmrelay.testing.LeakCheck;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * README: "No upstream key ... appears in any response or log line", as a property. Random keys
 * (with {@code /}, {@code +}, {@code =}, quotes, backslashes, Latin-1 letters and the invisible
 * U+00A0 and U+00AD, all of which a header value may carry) are quoted by the scripted upstream,
 * each char in a random JSON form ({@link JsonEscapeForms}), wherever an upstream can put text:
 * 4xx bodies passed through, 5xx bodies, error events before and after the first byte, content,
 * tool-call and id fields of chunks (kept as sent, or re-serialised when they lack their ids),
 * and whole answers. No response and no line serve prints may hold a key in any form a reader
 * decodes back into it ({@link LeakCheck}), and each answer still arrives, with the key's place
 * marked. One serve for all cases; {@code -Dscrub.seed=N} replays a failure.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KeyScrubPropertyTest {
    private static final long SEED = Long.getLong("scrub.seed", System.nanoTime());
    private static final int ROUTES = 40;
    private static final int CASES = 480;
    /** Callers at once: the cases do not depend on each other, and serve runs several environments. */
    private static final int CALLERS = 4;
    private static final String FIRST_LAST = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String INSIDE = FIRST_LAST + "-_./+=~:\"\\ éüßñØÿ\u00a0\u00ad";
    private static final List<String> KEYS = keys(new Random(SEED));

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> config(upstream.port()))
            .serving(serve -> serve.env(environment()));

    private static List<String> keys(Random random) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < ROUTES; i++) {
            StringBuilder key = new StringBuilder().append(FIRST_LAST.charAt(random.nextInt(FIRST_LAST.length())));
            for (int n = 10 + random.nextInt(40); n > 0; n--) {
                String from = random.nextInt(3) == 0 ? INSIDE.substring(FIRST_LAST.length()) : FIRST_LAST;
                key.append(from.charAt(random.nextInt(from.length())));
            }
            keys.add(key.append(FIRST_LAST.charAt(random.nextInt(FIRST_LAST.length()))).toString());
        }
        return keys;
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>(RelayUnderTest.upstreamKeyEnv());
        for (int i = 0; i < ROUTES; i++) {
            env.put("SCRUB_KEY_" + i, KEYS.get(i));
        }
        return env;
    }

    /** Route i serves model-i with key i; odd routes send it in {@code api-key}, even ones as a bearer token. */
    private static String config(int port) {
        String[] routes = new String[ROUTES];
        for (int i = 0; i < ROUTES; i++) {
            routes[i] = """
                    {"name": "r%d", "baseUrl": "http://127.0.0.1:%d/v1", "apiKey": "env:SCRUB_KEY_%d",
                     "models": ["model-%d"], "retries": 0%s}""".formatted(i, port, i, i,
                    i % 2 == 1 ? ", \"apiKeyHeader\": \"api-key\"" : "");
        }
        return RelayUnderTest.config(null, routes);
    }

    /** One request: its route and what the upstream answers it. */
    private record Case(int number, int route, UpstreamQuote quote) {
        String request() {
            return """
                    {"model": "model-%d", "stream": %s, "messages": [{"role": "user", "content": "%d"}]}"""
                    .formatted(route, quote.kind() != UpstreamQuote.Kind.WHOLE, number);
        }

        String context() {
            return "seed " + SEED + " (-Dscrub.seed=" + SEED + "), case " + number + ", " + quote.kind()
                    + ", key " + Json.write(KEYS.get(route)) + ", upstream quoted it as " + quote.quoted();
        }
    }

    @Test
    void noKeyInAnyFormReachesACallerOrALogLine() throws Exception {
        Random random = new Random(SEED + 1);
        List<Case> cases = new ArrayList<>();
        Map<UpstreamQuote.Kind, Integer> tried = new EnumMap<>(UpstreamQuote.Kind.class);
        for (int n = 0; n < CASES; n++) {
            int route = random.nextInt(ROUTES);
            cases.add(new Case(n, route, UpstreamQuote.random(KEYS.get(route), random)));
            tried.merge(cases.get(n).quote().kind(), 1, Integer::sum);
        }
        assertEquals(UpstreamQuote.Kind.values().length, tried.size(), "every kind is tried: " + tried);
        // Each request names its case, so the upstream can answer requests arriving in any order.
        served.upstream().respondWith(recorded -> cases.get(recorded.body().path("messages").path(0).path("content").asInt())
                .quote().script());
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (Case c : cases) {
                results.add(callers.submit(() -> check(c)));
            }
            for (Future<?> result : results) {
                result.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw failure;
            }
            throw e;
        } finally {
            callers.shutdownNow();
        }
        String output = served.relay().output();
        assertTrue(output.contains("\"log\":\"request\""), "serve printed its request log");
        for (String line : output.split("\n")) {
            assertNoKey(line, "seed " + SEED + ", a line serve printed");
        }
    }

    private static Void check(Case c) throws Exception {
        HttpResponse<String> response = served.client().postChat(c.request());
        assertEquals(c.quote().expectedStatus(), response.statusCode(), () -> c.context() + "; body " + response.body());
        assertNoKey(response.headers().toString() + "\n" + response.body(), c.context());
        assertTrue(response.body().contains("[redacted]"),
                () -> c.context() + ": the answer arrived without its scrubbed quote: " + response.body());
        return null;
    }

    private static void assertNoKey(String text, String context) {
        String found = LeakCheck.findAny(text, KEYS);
        if (found != null) {
            fail(context + ": " + found + "\n" + text);
        }
    }
}

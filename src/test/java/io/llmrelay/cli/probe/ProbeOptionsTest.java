package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code probe}'s command line: what it accepts, and that every refusal names the option and what it needs. */
class ProbeOptionsTest {

    private static ProbeOptions parse(String... args) {
        return ProbeOptions.parse(args, Map.of("MY_KEY", "sk-from-env"));
    }

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> parse(args)).getMessage();
    }

    @Test
    void defaultsAreOneSideFiveRequestsOneAtATime() {
        ProbeOptions o = parse("https://abc.lambda-url.us-east-1.on.aws/v1");
        assertEquals(1, o.targets().size());
        Target a = o.targets().get(0);
        assertEquals("A", a.side());
        assertEquals("https://abc.lambda-url.us-east-1.on.aws/v1/chat/completions", a.endpoint().toString());
        assertEquals("gpt-4o-mini", a.model());
        assertNull(a.key());
        assertEquals(5, o.requests());
        assertEquals(1, o.concurrency());
        assertEquals(120, o.timeoutSeconds());
        assertNull(o.json());
    }

    @Test
    void endpointsAcceptABaseOrAFullChatCompletionsUrl() {
        assertEquals("https://h/v1/chat/completions", Target.endpoint("https://h/v1/").toString());
        assertEquals("https://h/chat/completions", Target.endpoint("https://h").toString());
        assertEquals("https://h/chat/completions", Target.endpoint("https://h/").toString());
        assertEquals("http://h:8080/v1/chat/completions", Target.endpoint("http://h:8080/v1/chat/completions").toString());
        assertEquals("https://h/openai/deployments/x/chat/completions?api-version=2024-10-21",
                Target.endpoint("https://h/openai/deployments/x?api-version=2024-10-21").toString());
    }

    @Test
    void everyOptionIsReadInBothSpellings() {
        ProbeOptions o = parse("http://127.0.0.1:8080/v1", "--key", "k1", "--model", "m1", "--prompt", "Say hi",
                "--requests=7", "--concurrency", "3", "--timeout", "9", "--json", "out.json",
                "--compare", "https://api.openai.com/v1", "--compare-key=env:MY_KEY", "--compare-model", "m2");
        assertEquals("k1", o.targets().get(0).key());
        assertEquals("m1", o.targets().get(0).model());
        assertEquals("Say hi", o.prompt());
        assertEquals(7, o.requests());
        assertEquals(3, o.concurrency());
        assertEquals(9, o.timeoutSeconds());
        assertEquals("out.json", o.json().toString());
        Target b = o.targets().get(1);
        assertEquals("B", b.side());
        assertEquals("https://api.openai.com/v1/chat/completions", b.endpoint().toString());
        assertEquals("sk-from-env", b.key());
        assertEquals("m2", b.model());
    }

    @Test
    void theCompareModelDefaultsToTheModel() {
        ProbeOptions o = parse("http://a/v1", "--model", "gpt-4.1", "--compare", "http://b/v1");
        assertEquals("gpt-4.1", o.targets().get(1).model());
        assertNull(o.targets().get(1).key());
    }

    @Test
    void badValuesNameTheOptionAndWhatItNeeds() {
        assertTrue(refusal("http://a", "--requests", "many").contains("--requests needs a whole number from 1 to 10000, was 'many'"));
        assertTrue(refusal("http://a", "--requests", "0").contains("--requests needs a whole number from 1 to 10000, was 0"));
        assertTrue(refusal("http://a", "--concurrency", "999").contains("--concurrency needs a whole number from 1 to 256"));
        assertTrue(refusal("http://a", "--timeout", "-1").contains("--timeout needs a whole number from 1 to 3600"));
        assertTrue(refusal("http://a", "--model").contains("--model needs a value"));
        assertTrue(refusal("http://a", "--model", " ").contains("--model needs a value"));
        assertTrue(refusal("http://a", "--json", "/no/such/dir/out.json").contains("--json needs a file in an existing directory"));
        assertTrue(refusal("http://a", "--key", "env:NOT_SET_ANYWHERE").contains("NOT_SET_ANYWHERE is not set"));
        assertTrue(refusal("http://a", "--compare-key", "k").contains("need --compare URL2"));
        assertTrue(refusal("http://a", "--bogus", "1").contains("unknown option '--bogus'"));
        assertTrue(refusal("--requests", "1").contains("the URL to probe is missing"));
        assertTrue(refusal("ftp://a/v1").contains("URL must be an absolute http:// or https:// URL"));
        assertTrue(refusal("http://a", "--compare", "not a url").contains("--compare"));
        String userInfo = refusal("https://me:sk-in-url@h/v1");
        assertTrue(userInfo.contains("must not hold a user name or password"), userInfo);
        assertFalse(userInfo.contains("sk-in-url"), userInfo);
    }

    @Test
    void aTargetPrintsWithoutItsKey() {
        Target a = parse("http://a/v1", "--key", "sk-secret-target-key").targets().get(0);
        assertFalse(a.toString().contains("sk-secret-target-key"), a.toString());
        assertTrue(a.toString().contains("key=******"), a.toString());
    }

    @Test
    void aSecondPositionalArgumentIsRefusedWithoutEchoingIt() {
        String message = refusal("http://a/v1", "sk-pasted-without-option");
        assertFalse(message.contains("sk-pasted"), message);
    }

    @Test
    void helpListsEveryOptionAndTheBurstDefinition() {
        assertNull(parse("--help"));
        assertNull(parse("http://a", "-h"));
        for (String option : new String[] {"--key", "--model", "--prompt", "--requests", "--concurrency", "--timeout",
                "--json", "--compare", "--compare-key", "--compare-model", "--help", "-h"}) {
            assertTrue(ProbeCommand.USAGE.contains(option + " ") || ProbeCommand.USAGE.contains(option + ","), option);
        }
        assertTrue(ProbeCommand.USAGE.contains("max(5 x the stream's median gap, 15 ms)"), ProbeCommand.USAGE);
        assertTrue(ProbeCommand.USAGE.contains("within 1 ms"), ProbeCommand.USAGE);
    }

    @Test
    void theCommandExitsTwoOnAUsageErrorAndZeroOnHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (HttpClient http = Probing.http()) {
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            assertEquals(2, ProbeCommand.run(new String[] {"http://a", "--requests", "x"}, Map.of(), o, e, http, false));
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("probe: --requests needs a whole number"));
            assertEquals(2, ProbeCommand.run(new String[0], Map.of(), o, e, http, false));
            assertEquals(0, ProbeCommand.run(new String[] {"--help"}, Map.of(), o, e, http, false));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("usage: java -jar llm-relay.jar probe URL"));
        }
    }
}

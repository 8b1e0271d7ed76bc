package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.relay.transform.RequestTransform;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The voice-grade route and caller fields: read as documented, and every mistake refused at start-up, naming its field. */
class VoiceGradeConfigTest {
    private static final String HASH = "a".repeat(64);

    private static String config(String callerExtra, String routeExtra) {
        return """
                {"callers": [{"name": "vapi", "keySha256": "%s"%s}],
                 "routes": [{"name": "main", "baseUrl": "https://main.example/v1", "models": ["m"]%s},
                            {"name": "quick", "baseUrl": "https://quick.example/v1", "models": ["q"]}]}"""
                .formatted(HASH, callerExtra, routeExtra);
    }

    private static List<String> problems(String callerExtra, String routeExtra) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(config(callerExtra, routeExtra), "test"))
                .problems();
    }

    private static void assertProblem(String expected, String routeExtra) {
        List<String> problems = problems("", routeExtra);
        assertTrue(problems.contains(expected), () -> "expected '" + expected + "' among " + problems);
    }

    @Test
    void everyFieldIsReadAsDocumented() {
        RelayConfig config = ConfigLoader.parse(config(", \"routes\": [\"ma*\", \"quick\"]", """
                , "hedgeAfterMs": 400, "hedgeRoute": "quick",
                "systemPrompt": {"mode": "append", "text": "Hi {{metadata.name|there}} ({{header.X-Conversation-Id}})"},
                "params": {"defaults": {"temperature": 0.3}, "overrides": {"user": "relay"},
                           "limits": {"max_tokens": 300, "top_p": 0.95}},
                "maxHistoryMessages": 20, "maxHistoryChars": 8000"""), "test");

        RouteConfig main = config.route("main").orElseThrow();
        assertEquals(new Hedge(400, "quick"), main.hedge());
        RouteTransform transform = main.transform();
        assertEquals(SystemPrompt.Mode.APPEND, transform.systemPrompt().mode());
        assertEquals(List.of(new PromptTemplate.Text("Hi "),
                new PromptTemplate.Variable(false, List.of("metadata", "name"), "there"),
                new PromptTemplate.Text(" ("),
                new PromptTemplate.Variable(true, List.of("x-conversation-id"), ""),
                new PromptTemplate.Text(")")), transform.systemPrompt().template().parts());
        assertEquals(Map.of("temperature", Json.MAPPER.valueToTree(0.3)), transform.params().defaults());
        assertEquals(Map.of("user", Json.MAPPER.valueToTree("relay")), transform.params().overrides());
        assertEquals(0, new BigDecimal(300).compareTo(transform.params().limitFor("max_completion_tokens")),
                "a limit on max_tokens is the limit of the whole token budget");
        assertEquals(20, transform.maxHistoryMessages());
        assertEquals(8000, transform.maxHistoryChars());
        assertEquals(Hedge.NONE, config.route("quick").orElseThrow().hedge());
        assertTrue(config.route("quick").orElseThrow().transform().isEmpty());
        CallerConfig vapi = config.callers().get(0);
        assertTrue(vapi.mayUse("main") && vapi.mayUse("quick"));
        assertEquals(List.of("call", "phoneNumber", "customer", "metadata", "user_id", "elevenlabs_extra_body"),
                main.dropFields(), "the default dropFields take ElevenLabs' fields too");
        assertEquals(RouteConfig.DEFAULT_DROP_FIELDS, ChatCompletionRequest.DEFAULT_DROPPED_FIELDS,
                "the request's list (warm-up) is the config's");
    }

    @Test
    void hedgeMistakesAreNamed() {
        assertProblem("routes[0].hedgeAfterMs: is required with hedgeRoute: how long to wait for a first event"
                + " before the hedge starts", ", \"hedgeRoute\": \"quick\"");
        assertProblem("routes[0].hedgeRoute: is required with hedgeAfterMs: the route the hedge goes to",
                ", \"hedgeAfterMs\": 300");
        assertProblem("routes[0].hedgeRoute: no route is named 'slow'", ", \"hedgeAfterMs\": 300, \"hedgeRoute\": \"slow\"");
        assertProblem("routes[0].hedgeRoute: a route cannot hedge with itself",
                ", \"hedgeAfterMs\": 300, \"hedgeRoute\": \"main\"");
        assertProblem("routes[0].hedgeAfterMs: must be less than firstByteTimeoutMs (1000): by then the attempt has"
                + " timed out and nothing is left to race",
                ", \"hedgeAfterMs\": 1000, \"firstByteTimeoutMs\": 1000, \"hedgeRoute\": \"quick\"");
        assertProblem("routes[0].hedgeAfterMs: must be a whole number of milliseconds from 1 to 900000",
                ", \"hedgeAfterMs\": 0, \"hedgeRoute\": \"quick\"");
    }

    @Test
    void systemPromptMistakesAreNamedWithoutQuotingThePrompt() {
        assertProblem("routes[0].systemPrompt: must be an object with \"text\" and \"mode\" (\"prepend\", \"append\""
                + " or \"replace\")", ", \"systemPrompt\": \"Be brief.\"");
        assertProblem("routes[0].systemPrompt.mode: is required", ", \"systemPrompt\": {\"text\": \"Be brief.\"}");
        assertProblem("routes[0].systemPrompt.mode: must be \"prepend\", \"append\" or \"replace\"",
                ", \"systemPrompt\": {\"text\": \"Be brief.\", \"mode\": \"before\"}");
        assertProblem("routes[0].systemPrompt.text: is required", ", \"systemPrompt\": {\"mode\": \"replace\"}");
        assertProblem("routes[0].systemPrompt.txt: unknown field (known fields: text, mode)",
                ", \"systemPrompt\": {\"txt\": \"Be brief.\", \"text\": \"x\", \"mode\": \"replace\"}");
        List<String> unclosed = problems("", ", \"systemPrompt\": {\"mode\": \"replace\", \"text\": \"sk-private {{call.id\"}");
        assertEquals(List.of("routes[0].systemPrompt.text: '{{' at character 11 is never closed with '}}'"), unclosed);
        assertFalse(unclosed.toString().contains("sk-private"), "the prompt's text is not quoted");
        assertProblem("routes[0].systemPrompt.text: the variable at character 3 names nothing: write {{field.path}} or"
                + " {{header.name}}", ", \"systemPrompt\": {\"mode\": \"replace\", \"text\": \"Hi {{ |x}}\"}");
        assertProblem("routes[0].systemPrompt.text: the variable at character 0 is not a field path (names joined by"
                + " '.', without spaces or braces)", ", \"systemPrompt\": {\"mode\": \"replace\", \"text\": \"{{call..id}}\"}");
        assertProblem("routes[0].systemPrompt.text: '{{' at character 0 is followed by another '{{' before its '}}'",
                ", \"systemPrompt\": {\"mode\": \"replace\", \"text\": \"{{a {{b}}\"}");
        assertProblem("routes[0].systemPrompt.text: the variable at character 0 reads header 'authorization', which"
                + " carries the caller's credentials: it may not go into a prompt",
                ", \"systemPrompt\": {\"mode\": \"replace\", \"text\": \"{{header.Authorization}}\"}");
        assertProblem("routes[0].systemPrompt.text: the variable at character 0 needs a header name after 'header.'",
                ", \"systemPrompt\": {\"mode\": \"replace\", \"text\": \"{{header.}}\"}");
    }

    @Test
    void literalClosingBracesAreText() throws Exception {
        PromptTemplate template = PromptTemplate.parse("Answer as {\"a\": {\"b\": 1}} for {{call.id}}}}");
        assertEquals(List.of(new PromptTemplate.Text("Answer as {\"a\": {\"b\": 1}} for "),
                new PromptTemplate.Variable(false, List.of("call", "id"), ""), new PromptTemplate.Text("}}")),
                template.parts());
    }

    @Test
    void paramMistakesAreNamed() {
        assertProblem("routes[0].params.default: unknown field (known fields: defaults, overrides, limits)",
                ", \"params\": {\"default\": {}}");
        assertProblem("routes[0].params.defaults.model: 'model' is the caller's: the relay reads it and routes by it",
                ", \"params\": {\"defaults\": {\"model\": \"x\"}}");
        assertProblem("routes[0].params.overrides.stream: 'stream' is the caller's: the relay reads it and routes by it",
                ", \"params\": {\"overrides\": {\"stream\": false}}");
        assertProblem("routes[0].params.overrides.metadata: 'metadata' is in the route's dropFields, so it would never"
                + " be sent", ", \"params\": {\"overrides\": {\"metadata\": {}}}");
        assertProblem("routes[0].params.limits.max_tokens: must be a whole number from 1",
                ", \"params\": {\"limits\": {\"max_tokens\": 0}}");
        assertProblem("routes[0].params.limits.n: must be a whole number from 1", ", \"params\": {\"limits\": {\"n\": 1.5}}");
        assertProblem("routes[0].params.limits.temperature: must be a number from 0",
                ", \"params\": {\"limits\": {\"temperature\": \"low\"}}");
        assertProblem("routes[0].params.limits.seed: unknown field (known fields: max_tokens, max_completion_tokens, n,"
                + " temperature, top_p, top_logprobs)", ", \"params\": {\"limits\": {\"seed\": 1}}");
        assertProblem("routes[0].params.defaults.max_completion_tokens: is above its limit (300)",
                ", \"params\": {\"defaults\": {\"max_completion_tokens\": 500}, \"limits\": {\"max_tokens\": 300}}");
        assertProblem("routes[0].params.defaults.top_p: is in \"overrides\" too, whose value always wins: keep one",
                ", \"params\": {\"defaults\": {\"top_p\": 1}, \"overrides\": {\"top_p\": 0.5}}");
        assertProblem("routes[0].params.limits: must be an object of parameter ceilings", ", \"params\": {\"limits\": [1]}");
        assertProblem("routes[0].maxHistoryMessages: must be a whole number of messages from 1 to 100000",
                ", \"maxHistoryMessages\": 0");
        assertProblem("routes[0].maxHistoryChars: must be a whole number of characters from 1 to 6291456",
                ", \"maxHistoryChars\": -5");
    }

    @Test
    void callerRouteMistakesAreNamed() {
        assertEquals(List.of("callers[0].routes: must name at least one route (leave it out to allow every route)"),
                problems(", \"routes\": []", ""));
        assertEquals(List.of("callers[0].routes[1]: no route is named 'mian'"), problems(", \"routes\": [\"main\", \"mian\"]", ""));
        assertEquals(List.of("callers[0].routes[0]: 'voice-*' matches no route"), problems(", \"routes\": [\"voice-*\"]", ""));
        assertEquals(List.of("callers[0].routes[0]: must be a route name or a '*' glob of route names (letters, digits,"
                + " '-', '_', '.', '*')"), problems(", \"routes\": [\"main route\"]", ""));
    }

    /** The README's voice-grade example is a configuration that loads (with hashes in its placeholders). */
    @Test
    void theReadmesVoiceGradeExampleLoads() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("README.md"));
        int marker = lines.indexOf("<!-- voice-grade example config: VoiceGradeConfigTest loads it -->");
        assertTrue(marker >= 0 && lines.get(marker + 1).equals("```json"), "the example is where the README says");
        StringBuilder json = new StringBuilder();
        for (int i = marker + 2; !lines.get(i).equals("```"); i++) {
            json.append(lines.get(i)).append('\n');
        }
        String[] hashes = {"a".repeat(64), "b".repeat(64), "c".repeat(64)};
        String text = json.toString();
        for (String hash : hashes) {
            text = text.replaceFirst("<64 lowercase hex>", hash);
        }

        RelayConfig config = ConfigLoader.parse(text, "README.md");

        assertEquals(new Hedge(800, "voice-groq"), config.route("voice-openai").orElseThrow().hedge());
        assertEquals(SystemPrompt.Mode.REPLACE, config.route("eleven").orElseThrow().transform().systemPrompt().mode());
        assertEquals(List.of("voice-*"), config.callers().get(0).routes());
        ChatCompletionRequest vapi = ChatCompletionRequest.parse("""
                {"model": "gpt-4o-mini", "stream": true, "max_tokens": 1000, "messages": [{"role": "user", "content": "Hi"}],
                 "call": {"id": "0a1b"}, "customer": {"number": "+15555550123"}, "metadata": {"clinicId": "c-42"}}"""
                .getBytes(StandardCharsets.UTF_8));
        ChatCompletionRequest sent = RequestTransform.apply(config.route("voice-openai").orElseThrow().transform(), vapi,
                name -> null);
        assertEquals(Json.MAPPER.readTree("""
                [{"role": "system", "content": "You are Ava of our clinic. The caller's number is +15555550123; call 0a1b."},
                 {"role": "user", "content": "Hi"}]"""), sent.field("messages"), "what the README says OpenAI gets");
        assertEquals(300, sent.field("max_tokens").asInt());
    }

    @Test
    void aCallerWithoutRoutesMayUseEveryRoute() {
        CallerConfig caller = ConfigLoader.parse(config("", ""), "test").callers().get(0);
        assertFalse(caller.restricted());
        assertTrue(caller.mayUse("anything"));
        assertNull(ConfigLoader.parse(config("", ""), "test").route("main").orElseThrow().transform().systemPrompt());
    }
}

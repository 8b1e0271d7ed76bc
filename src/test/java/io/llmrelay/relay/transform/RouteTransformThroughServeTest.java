package io.llmrelay.relay.transform;

import static io.llmrelay.testing.RelayClient.fieldNames;
import static io.llmrelay.testing.RelayClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Routes' transforms through serve, judged by the JSON the upstream received, compared as trees:
 * each system prompt mode, each source of variables, missing ones, parameter rules, history
 * trimming with tool calls, and values that look like templates or JSON inserted as text. Fields
 * no transform touches are checked as the caller's exact text.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RouteTransformThroughServeTest {
    static final String SYS = "{\"role\":\"system\",\"content\":\"Rules.\"}";
    static final String U1 = "{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"}";
    static final String A1 = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
            + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
            + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]}";
    static final String T1 = "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"}";
    static final String T2 = "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"24C\"}";
    static final String A2 = "{\"role\":\"assistant\",\"content\":\"Paris 18, Rome 24.\"}";
    static final String U2 = "{\"role\":\"user\",\"content\":\"Thanks \\u00e9!\"}";
    static final String TOOL_CONVERSATION = String.join(",", SYS, U1, A1, T1, T2, A2, U2);
    /** Room for the newest two messages and the tool call, but not its two results too. */
    static final long CHARS_BUDGET = A2.length() + U2.length() + A1.length() + T1.length();

    private static final String INSTRUCTED = """
            [{"role": "system", "content": "Caller's rules."},
             {"role": "developer", "content": "Developer rules."},
             {"role": "assistant", "content": "Hello, this is Ava."},
             {"role": "user", "content": "Hi"},
             {"role": "system", "content": "Mid-call note."},
             {"role": "user", "content": "Move my appointment"}]""";

    private static final FakeUpstream anthropic = startAnthropic();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            route("prepend", upstream, prompt("prepend", "Route rules.")),
            route("append", upstream, prompt("append", "Route rules.")),
            route("replace", upstream, prompt("replace", "Route rules.")),
            route("vars", upstream, prompt("prepend", "call={{call.id}} customer={{ customer.number }}"
                    + " name={{metadata.customerName}} session={{elevenlabs_extra_body.session_id}}"
                    + " conversation={{header.x-conversation-id}} user={{user_id}} first={{messages.0.role}}")),
            route("missing", upstream, prompt("prepend", "Hello {{metadata.name|there}}, id [{{call.id}}],"
                    + " conversation [{{header.x-conversation-id | none}}]")),
            route("literal", upstream, prompt("prepend", "Name: {{metadata.customerName}}. CRM: {{metadata.crm}}."
                    + " Flags: {{metadata.flags}}. Count: {{metadata.count}}.")),
            route("params", upstream, "\"params\": {\"defaults\": {\"temperature\": 0.3, \"max_tokens\": 200},"
                    + " \"overrides\": {\"top_p\": 0.9, \"parallel_tool_calls\": false},"
                    + " \"limits\": {\"max_tokens\": 300, \"temperature\": 1}}"),
            route("history4", upstream, "\"maxHistoryMessages\": 4"),
            route("history5", upstream, "\"maxHistoryMessages\": 5"),
            route("history-chars", upstream, "\"maxHistoryChars\": " + CHARS_BUDGET),
            "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + anthropic.url("/v1") + "\","
                    + " \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"claude-model\"], "
                    + prompt("replace", "You are {{metadata.agent|Ava}}.")
                    + ", \"params\": {\"limits\": {\"max_tokens\": 100}}}"));

    private static FakeUpstream startAnthropic() {
        try {
            return FakeUpstream.startProvider();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopAnthropic() {
        anthropic.close();
    }

    private static String route(String name, FakeUpstream upstream, String fields) {
        return RelayUnderTest.route(name, upstream.baseUrl(), "[\"" + name + "-model\"]", fields);
    }

    private static String prompt(String mode, String text) {
        return "\"systemPrompt\": {\"mode\": \"" + mode + "\", \"text\": \"" + text + "\"}";
    }

    /** Sends {@code body} (a JSON object's members, without braces) to model {@code route-model}; returns what the upstream got. */
    private static FakeUpstream.Recorded sent(String route, String members, String... headers) throws Exception {
        HttpRequest.Builder request = served.client().chat("{\"model\": \"" + route + "-model\", \"stream\": true, "
                + members + "}");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = served.client().send(request);
        assertEquals(200, response.statusCode(), response.body());
        return served.upstream().nextRequest();
    }

    private static JsonNode system(String content) {
        return json("{\"role\": \"system\", \"content\": " + io.llmrelay.json.Json.write(content) + "}");
    }

    private static JsonNode messagesWith(JsonNode own, int at, String messages) {
        com.fasterxml.jackson.databind.node.ArrayNode list = (com.fasterxml.jackson.databind.node.ArrayNode) json(messages);
        list.insert(at, own);
        return list;
    }

    @Test
    void prependPutsTheRoutesPromptFirstAndKeepsTheCallersInstructions() throws Exception {
        JsonNode got = sent("prepend", "\"messages\": " + INSTRUCTED).body();
        assertEquals(messagesWith(system("Route rules."), 0, INSTRUCTED), got.get("messages"));
    }

    @Test
    void appendPutsItAfterTheCallersLeadingSystemAndDeveloperMessages() throws Exception {
        JsonNode got = sent("append", "\"messages\": " + INSTRUCTED).body();
        assertEquals(messagesWith(system("Route rules."), 2, INSTRUCTED), got.get("messages"));
    }

    @Test
    void replaceRemovesEverySystemAndDeveloperMessageOfTheCaller() throws Exception {
        JsonNode got = sent("replace", "\"messages\": " + INSTRUCTED).body();
        assertEquals(json("""
                [{"role": "system", "content": "Route rules."},
                 {"role": "assistant", "content": "Hello, this is Ava."},
                 {"role": "user", "content": "Hi"},
                 {"role": "user", "content": "Move my appointment"}]"""), got.get("messages"));
    }

    @Test
    void variablesComeFromVapisAndElevenLabsFieldsAndHeadersBeforeTheyAreDropped() throws Exception {
        FakeUpstream.Recorded got = sent("vars", """
                "messages": [{"role": "user", "content": "Hi"}],
                "call": {"id": "call-0a1b", "orgId": "org-5f6e"}, "phoneNumber": {"number": "+15555550100"},
                "customer": {"number": "+15555550123"}, "metadata": {"customerName": "Ada"},
                "user_id": "el-user-7", "elevenlabs_extra_body": {"session_id": "sess-9"}""",
                "x-conversation-id", "conv-42");

        assertEquals(json("""
                [{"role": "system", "content": "call=call-0a1b customer=+15555550123 name=Ada session=sess-9 conversation=conv-42 user=el-user-7 first=user"},
                 {"role": "user", "content": "Hi"}]"""), got.body().get("messages"));
        // stream_options: the relay asks for usage the caller did not ask for (README "Token usage").
        assertEquals(Set.of("model", "stream", "messages", "stream_options"), fieldNames(got.body()),
                "Vapi's and ElevenLabs' fields were read for the prompt, then dropped by the default dropFields");
    }

    @Test
    void aMissingVariableIsItsDefaultOrNothingNeverTheBraces() throws Exception {
        JsonNode none = sent("missing", "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]").body();
        JsonNode nullAndEmpty = sent("missing", "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"metadata\": {\"name\": null}, \"call\": {\"id\": \"\"}", "x-conversation-id", "").body();

        for (JsonNode got : new JsonNode[] {none, nullAndEmpty}) {
            assertEquals(system("Hello there, id [], conversation [none]"), got.get("messages").get(0), got.toString());
        }
    }

    @Test
    void valuesThatLookLikeTemplatesOrJsonAreInsertedAsText() throws Exception {
        JsonNode got = sent("literal", """
                "messages": [{"role": "user", "content": "Hi"}], "call": {"id": "MUST-NOT-APPEAR"},
                "metadata": {"customerName": "{{call.id}} {\\"a\\": 1} }}", "crm": {"id": "c-1", "vip": true},
                             "flags": [1, "two", null], "count": 3}""").body();

        assertEquals(system("Name: {{call.id}} {\"a\": 1} }}. CRM: {\"id\":\"c-1\",\"vip\":true}."
                + " Flags: [1,\"two\",null]. Count: 3."), got.get("messages").get(0));
    }

    @Test
    void defaultsFillWhatIsMissingOverridesAlwaysWinLimitsLowerAndTheRestStaysExact() throws Exception {
        FakeUpstream.Recorded high = sent("params", "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"max_tokens\": 5000, \"top_p\": 0.1, \"temperature\": 1.5,"
                + " \"seed\":12345678901234567890123, \"x_vendor\":{\"n\": 1e309, \"s\": \"\\u00e9\"}");
        JsonNode nothing = sent("params", "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"temperature\": null").body();
        JsonNode budget = sent("params", "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}],"
                + " \"max_completion_tokens\": 4000, \"max_tokens\": 100, \"temperature\": 0.2").body();

        JsonNode highBody = high.body();
        assertEquals(json("300"), highBody.get("max_tokens"), "lowered to the limit, not refused");
        assertEquals(json("1"), highBody.get("temperature"));
        assertEquals(json("0.9"), highBody.get("top_p"), "the override wins over the caller's 0.1");
        assertEquals(json("false"), highBody.get("parallel_tool_calls"));
        String raw = new String(high.rawBody(), StandardCharsets.UTF_8);
        assertTrue(raw.contains("\"seed\":12345678901234567890123,\"x_vendor\":{\"n\": 1e309, \"s\": \"\\u00e9\"}"),
                "untouched fields are the caller's text: " + raw);

        assertEquals(json("""
                {"model": "params-model", "stream": true, "messages": [{"role": "user", "content": "Hi"}],
                 "temperature": 0.3, "max_tokens": 200, "top_p": 0.9, "parallel_tool_calls": false,
                 "stream_options": {"include_usage": true}}"""), nothing, "the transform's edits, then the usage ask");
        assertEquals(json("300"), budget.get("max_completion_tokens"), "a limit on max_tokens caps max_completion_tokens too");
        assertEquals(json("100"), budget.get("max_tokens"), "below the limit: as sent");
        assertEquals(json("0.2"), budget.get("temperature"), "the caller's own value beats a default");
    }

    @Test
    void historyIsTrimmedToTheNewestWholeTurnsKeepingSystemAndToolCallsWithTheirResults() throws Exception {
        String messages = "\"messages\": [" + TOOL_CONVERSATION + "]";

        FakeUpstream.Recorded four = sent("history4", messages);
        FakeUpstream.Recorded five = sent("history5", messages);
        FakeUpstream.Recorded chars = sent("history-chars", messages);

        assertEquals(json("[" + String.join(",", SYS, A2, U2) + "]"), four.body().get("messages"),
                "the tool call and its two results do not fit in 4 with the newest two: all three go");
        assertEquals(json("[" + String.join(",", SYS, A1, T1, T2, A2, U2) + "]"), five.body().get("messages"));
        assertEquals(json("[" + String.join(",", SYS, A2, U2) + "]"), chars.body().get("messages"),
                "the character budget fits the call and one result, which would split them");
        assertTrue(new String(five.rawBody(), StandardCharsets.UTF_8).contains(
                "\"messages\":[" + String.join(",", SYS, A1, T1, T2, A2, U2) + "]"),
                "kept messages are the caller's text, escapes included");
    }

    @Test
    void anAnthropicRouteGetsTheSameEditsTranslated() throws Exception {
        anthropic.enqueue(FakeUpstream.Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.text(3, 1, "end_turn", "Hi")));

        HttpResponse<String> response = served.client().postChat("""
                {"model": "claude-model", "stream": true, "max_tokens": 5000,
                 "messages": [{"role": "system", "content": "Be verbose."}, {"role": "user", "content": "Hi"}]}""");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode got = anthropic.nextRequest().body();
        assertEquals(json("[{\"type\": \"text\", \"text\": \"You are Ava.\"}]"), got.get("system"));
        assertEquals(100, got.get("max_tokens").asInt());
        assertFalse(got.toString().contains("Be verbose."), "replace removed the caller's system message");
    }
}

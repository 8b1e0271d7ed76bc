package io.llmrelay.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.functionurl.HttpIntegrationPrelude;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.local.PendingInvocation;
import io.llmrelay.upstream.demo.DemoModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sam local invoke} as shipped: every file in {@code events/} through the packaged zip with
 * {@code AWS_SAM_LOCAL=true} and the config of {@code events/local-only.env-vars.json}, checked
 * against the answer {@code events/README.md} documents for it. SAM itself cannot run here, so the
 * zip runs as SAM's emulator runs it: {@code relay-wrapper} with the managed runtime's command line
 * and the function's environment, the env file's variables applied on top of it. The same events
 * then go through once more without {@code AWS_SAM_LOCAL}, as behind a Function URL, for the status.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SamLocalEventsIT {
    private static final Path EVENTS = Path.of("events");
    private static final Path ENV_FILE = EVENTS.resolve("local-only.env-vars.json");
    private static final String CALLER_KEY = "rk-example-caller-key";
    private static final String SSE = "text/event-stream; charset=utf-8";
    private static final String JSON = "application/json";

    /** What each event's answer is; events/README.md must say the same. */
    private enum Body {
        STREAM_WITH_USAGE, STREAM, RESPONSES_STREAM, COMPLETION, MODELS, ERROR
    }

    /** @param error the error's {@code code}, or its {@code type} where the code is null */
    private record Expected(int status, String contentType, Body body, String error) {}

    private static final Map<String, Expected> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("chat-stream.json", new Expected(200, SSE, Body.STREAM_WITH_USAGE, null));
        EXPECTED.put("chat-stream-base64.json", new Expected(200, SSE, Body.STREAM_WITH_USAGE, null));
        EXPECTED.put("chat-vapi.json", new Expected(200, SSE, Body.STREAM, null));
        EXPECTED.put("chat-nonstream.json", new Expected(200, JSON, Body.COMPLETION, null));
        EXPECTED.put("responses-stream.json", new Expected(200, SSE, Body.RESPONSES_STREAM, null));
        EXPECTED.put("models.json", new Expected(200, JSON, Body.MODELS, null));
        EXPECTED.put("chat-missing-key.json", new Expected(401, JSON, Body.ERROR, "invalid_api_key"));
        EXPECTED.put("chat-malformed-json.json", new Expected(400, JSON, Body.ERROR, "invalid_request_error"));
    }

    private static Path unzipped;

    @BeforeAll
    static void unzip() throws Exception {
        unzipped = PackagedFunction.unzipPackage();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        PackagedFunction.delete(unzipped);
    }

    /** The env file's variables, for the function in template.yaml (SAM's "standard format"). */
    private static Map<String, String> shippedEnvironment() throws IOException {
        JsonNode file = Json.MAPPER.readTree(Files.readString(ENV_FILE));
        assertEquals(List.of("RelayFunction"), iterable(file.fieldNames()), "one entry, for the template's function");
        Map<String, String> variables = new LinkedHashMap<>();
        file.get("RelayFunction").fields().forEachRemaining(e -> variables.put(e.getKey(), e.getValue().asText()));
        return variables;
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> list = new ArrayList<>();
        names.forEachRemaining(list::add);
        return list;
    }

    @Test
    void theEnvFileIsLocalOnlyAndOverridesAVariableTheTemplateDeclares() throws Exception {
        Map<String, String> variables = shippedEnvironment();
        assertEquals(Set.of("RELAY_CONFIG"), variables.keySet());
        assertTrue(ENV_FILE.getFileName().toString().startsWith("local-only"), "local-only in its name");

        // sam local invoke --env-vars only overrides variables declared in the function's
        // Environment.Variables (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-invoke.html);
        // a conditional value (!If ... AWS::NoValue) still declares the name.
        String template = Files.readString(Path.of("template.yaml"));
        Matcher function = Pattern.compile("(?ms)^  RelayFunction:\\n(.*?)^  \\S").matcher(template);
        assertTrue(function.find(), "RelayFunction in template.yaml");
        Matcher declared = Pattern.compile("(?ms)^      Environment:\\n        Variables:\\n(.*?)^      \\S").matcher(function.group(1));
        assertTrue(declared.find(), "RelayFunction's Environment.Variables");
        for (String name : variables.keySet()) {
            assertTrue(Pattern.compile("(?m)^          " + name + ":").matcher(declared.group(1)).find(),
                    name + " must be declared in RelayFunction's Environment.Variables for --env-vars to apply:\n"
                            + declared.group(1));
        }

        JsonNode config = Json.MAPPER.readTree(variables.get("RELAY_CONFIG"));
        assertEquals(KeyDigest.sha256Hex(CALLER_KEY), config.at("/callers/0/keySha256").asText());
        assertTrue(config.at("/callers/0/name").asText().startsWith("local-only"), config.toString());
        assertTrue(config.at("/routes/0/name").asText().startsWith("local-only"), config.toString());
        assertEquals("demo", config.at("/routes/0/type").asText(), "no upstream, no key: nothing to leak");
        assertTrue(Files.readString(Path.of("samconfig.toml")).contains("env_vars = \"events/local-only.env-vars.json\""),
                "samconfig.toml gives sam local invoke the file");
    }

    @Test
    void everyEventIsDocumentedWithItsAnswer() throws Exception {
        Set<String> files = new TreeSet<>();
        try (Stream<Path> list = Files.list(EVENTS)) {
            list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).forEach(files::add);
        }
        files.remove(ENV_FILE.getFileName().toString());
        assertEquals(new TreeSet<>(EXPECTED.keySet()), files, "every event has an expected answer, and only events do");

        String readme = Files.readString(EVENTS.resolve("README.md"));
        for (Map.Entry<String, Expected> event : EXPECTED.entrySet()) {
            Expected expected = event.getValue();
            Matcher row = Pattern.compile("(?m)^\\| `" + Pattern.quote(event.getKey()) + "` \\|(.*)$").matcher(readme);
            assertTrue(row.find(), event.getKey() + " has a row in events/README.md");
            String[] cells = row.group(1).split("\\|");
            assertEquals(String.valueOf(expected.status()), cells[1].strip(), event.getKey() + ": status");
            assertEquals("`" + expected.contentType() + "`", cells[2].strip(), event.getKey() + ": content type");
            if (expected.error() != null) {
                assertTrue(cells[3].contains("`" + expected.error() + "`"), event.getKey() + ": " + cells[3]);
            }
        }
        for (Map.Entry<String, Expected> event : EXPECTED.entrySet()) {
            JsonNode parsed = Json.MAPPER.readTree(EVENTS.resolve(event.getKey()).toFile());
            String authorization = parsed.path("headers").path("authorization").asText(null);
            assertTrue(authorization == null || authorization.equals("Bearer " + CALLER_KEY),
                    event.getKey() + " carries the example caller key, if any: " + authorization);
        }
    }

    /**
     * Two environments side by side, so the streamed events (the demo pauses between words) cost
     * their time once: one as {@code sam local invoke} runs it, one as behind a Function URL.
     */
    @Test
    void everyEventGivesItsDocumentedAnswerUnderSamLocalAndBehindAFunctionUrl() throws Exception {
        Map<String, String> samLocal = new LinkedHashMap<>(shippedEnvironment());
        samLocal.put("AWS_SAM_LOCAL", "true");
        try (PackagedFunction sam = PackagedFunction.start(unzipped, samLocal);
                PackagedFunction url = PackagedFunction.start(unzipped, shippedEnvironment())) {
            for (Map.Entry<String, Expected> event : EXPECTED.entrySet()) {
                CompletableFuture<Void> behindUrl = CompletableFuture.runAsync(() -> {
                    try {
                        functionUrlAnswer(url, event.getKey(), event.getValue());
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                samLocalAnswer(sam, event.getKey(), event.getValue());
                try {
                    behindUrl.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof CompletionException c ? (Exception) c.getCause() : e;
                }
            }
            sam.awaitNext(30);
            assertStartupSaidWhereTheConfigCameFrom(sam.log());
        }
    }

    /** Under {@code sam local invoke}: no prelude, the relay's own content type, the documented body. */
    private static void samLocalAnswer(PackagedFunction function, String name, Expected expected) throws Exception {
        PendingInvocation.Streamed response = function.invoke(event(name), name);
        assertEquals(expected.contentType(), response.contentType(),
                name + ": the Runtime API response carries the relay's own content type, no prelude");
        byte[] body = response.body().readAllBytes();
        assertTrue(response.completion().get(30, TimeUnit.SECONDS).succeeded(), name);
        checkBody(name, expected, new String(body, StandardCharsets.UTF_8));
    }

    /** Behind a Function URL: the prelude's status and content type, then the same body. */
    private static void functionUrlAnswer(PackagedFunction function, String name, Expected expected) throws Exception {
        PendingInvocation.Streamed response = function.invoke(event(name), name);
        assertEquals(HttpIntegrationPrelude.CONTENT_TYPE, response.contentType(), name);
        InputStream body = response.body();
        JsonNode prelude = Json.MAPPER.readTree(prelude(body));
        assertEquals(expected.status(), prelude.path("statusCode").asInt(), name + ": " + prelude);
        assertEquals(expected.contentType(), prelude.path("headers").path("content-type").asText(), name + ": " + prelude);
        String text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(response.completion().get(30, TimeUnit.SECONDS).succeeded(), name);
        checkBody(name, expected, text);
    }

    private static byte[] event(String name) throws IOException {
        return Files.readAllBytes(EVENTS.resolve(name));
    }

    /** The prelude JSON up to its 8 NULs, read byte by byte so nothing of the body is consumed. */
    private static byte[] prelude(InputStream body) throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        int b;
        while ((b = body.read()) > 0) {
            json.write(b);
        }
        assertEquals(0, b, "a NUL ends the prelude: " + json.toString(StandardCharsets.UTF_8));
        for (int i = 1; i < HttpIntegrationPrelude.SEPARATOR_LENGTH; i++) {
            assertEquals(0, body.read(), "NUL " + (i + 1) + " of 8 after the prelude");
        }
        return json.toByteArray();
    }

    private static void checkBody(String name, Expected expected, String body) throws IOException {
        assertFalse(body.startsWith("{\"statusCode\""), name + ": no prelude in the body");
        switch (expected.body()) {
            case STREAM_WITH_USAGE, STREAM -> checkStream(name, body, expected.body() == Body.STREAM_WITH_USAGE);
            case RESPONSES_STREAM -> checkResponsesStream(name, body);
            case COMPLETION -> {
                JsonNode completion = Json.MAPPER.readTree(body);
                assertEquals("chat.completion", completion.path("object").asText(), name + ": " + body);
                assertEquals(DemoModel.REPLY, completion.at("/choices/0/message/content").asText(), name);
            }
            case MODELS -> {
                JsonNode models = Json.MAPPER.readTree(body);
                assertEquals("list", models.path("object").asText(), name + ": " + body);
                assertEquals(DemoModel.MODEL, models.at("/data/0/id").asText(), name + ": " + body);
                assertEquals("model", models.at("/data/0/object").asText(), name + ": " + body);
            }
            case ERROR -> {
                JsonNode error = Json.MAPPER.readTree(body).path("error");
                String code = error.path("code").isNull() ? error.path("type").asText() : error.path("code").asText();
                assertEquals(expected.error(), code, name + ": " + body);
                assertTrue(error.path("message").asText().length() > 10, name + ": " + body);
            }
        }
    }

    private static void checkStream(String name, String body, boolean usage) throws IOException {
        assertTrue(body.endsWith("data: [DONE]\n\n"), name + " ends with data: [DONE]: " + body);
        List<String> events = List.of(body.substring(0, body.length() - 2).split("\n\n"));
        assertEquals(1, events.stream().filter("data: [DONE]"::equals).count(), name + ": exactly one [DONE]");
        StringBuilder text = new StringBuilder();
        boolean sawUsage = false;
        for (String event : events.subList(0, events.size() - 1)) {
            assertTrue(event.startsWith("data: ") && !event.contains("\n"), name + ": one data line per event: " + event);
            JsonNode chunk = Json.MAPPER.readTree(event.substring("data: ".length()));
            assertEquals("chat.completion.chunk", chunk.path("object").asText(), name + ": " + event);
            if (chunk.path("choices").isEmpty()) {
                sawUsage |= chunk.hasNonNull("usage");
            } else {
                text.append(chunk.at("/choices/0/delta/content").asText(""));
            }
        }
        assertEquals(DemoModel.REPLY, text.toString(), name);
        assertTrue(events.size() > 10, name + ": word by word, not one block: " + events.size() + " events");
        assertEquals(usage, sawUsage, name + ": a usage chunk exactly when include_usage asks for it");
    }

    /** Responses events ({@code event:} and {@code data:} lines), the demo reply word by word, then {@code response.completed}. */
    private static void checkResponsesStream(String name, String body) throws IOException {
        assertFalse(body.contains("[DONE]"), name + ": a Responses stream has no [DONE]");
        List<String> events = List.of(body.substring(0, body.length() - 2).split("\n\n"));
        StringBuilder text = new StringBuilder();
        String last = null;
        for (String event : events) {
            String[] lines = event.split("\n");
            assertEquals(2, lines.length, name + ": an event: line and one data: line: " + event);
            JsonNode payload = Json.MAPPER.readTree(lines[1].substring("data: ".length()));
            last = payload.path("type").asText();
            assertEquals("event: " + last, lines[0], name);
            if (last.equals("response.output_text.delta")) {
                text.append(payload.path("delta").asText());
            }
        }
        assertEquals(DemoModel.REPLY, text.toString(), name);
        assertEquals("response.completed", last, name);
        assertTrue(events.size() > 10, name + ": word by word, not one block: " + events.size() + " events");
    }

    /** Start-up named the source on stdout as one JSON line, and found nothing to warn about. */
    private static void assertStartupSaidWhereTheConfigCameFrom(String log) throws IOException {
        JsonNode source = null;
        for (String line : log.lines().toList()) {
            if (line.startsWith("{\"log\":\"config_")) {
                JsonNode notice = Json.MAPPER.readTree(line);
                assertEquals("config_source", notice.path("log").asText(), "no warning for the shipped config: " + line);
                source = notice;
            }
        }
        assertTrue(source != null, "a config_source line:\n" + log);
        assertEquals("from RELAY_CONFIG (inline JSON): 1 route(s), 1 caller(s)", source.path("message").asText());
    }
}

package io.llmrelay.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.functionurl.HttpIntegrationPrelude;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import io.llmrelay.testing.ExternalTool;
import io.llmrelay.upstream.demo.DemoModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The deployment package, run the way Lambda runs it: unzipped (file modes kept), the exec
 * wrapper started with the managed Java runtime's command line and reserved environment, against
 * a Runtime API (Jetty's HTTP parser decodes our chunked responses and trailers). One process
 * serves several invocations in a row, as one execution environment does.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LambdaPackageIT {
    private static final String CALLER_KEY = "rk-example-caller-key"; // the one in events/*.json
    private static final String HANDLER = "io.llmrelay.app.LambdaHandler";
    /** Jar names that belong to serve or to tests, never to the function. */
    private static final List<String> NOT_IN_PACKAGE = List.of("jetty", "openai", "junit", "okhttp", "kotlin", "testcontainers",
            // Bedrock routes sign and decode themselves: no SDK service client, no async HTTP client, no native CRT.
            "bedrockruntime", "aws-crt", "netty", "nio-client");

    private Path unzipped;
    private LocalRuntimeApi api;
    private Process function;
    private Path functionLog;

    @BeforeEach
    void unzipPackage() throws Exception {
        Path zip = Path.of(System.getProperty("relay.lambdaZip", "target/llm-relay-lambda.zip"));
        assertTrue(Files.isRegularFile(zip), zip + " is missing: run `mvn verify` (this test needs the package phase)");
        Path unzip = ExternalTool.require("unzip");

        List<String> jars = new ArrayList<>();
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            archive.stream().map(ZipEntry::getName).filter(n -> n.endsWith(".jar")).forEach(jars::add);
            assertNotNull(archive.getEntry("relay-wrapper"), "relay-wrapper at the package root");
            assertNotNull(archive.getEntry("io/llmrelay/app/LambdaHandler.class"), "the handler at the package root");
        }
        for (String jar : jars) {
            assertTrue(jar.startsWith("lib/"), "dependency jars live in lib/: " + jar);
            String name = jar.toLowerCase(Locale.ROOT);
            for (String excluded : NOT_IN_PACKAGE) {
                assertFalse(name.contains(excluded), jar + " must not be in the Lambda package");
            }
        }
        assertTrue(jars.stream().anyMatch(j -> j.contains("aws-lambda-java-core")), "aws-lambda-java-core: " + jars);
        assertTrue(jars.stream().anyMatch(j -> j.contains("jackson-databind")), "jackson-databind: " + jars);
        // The AWS SDK logs through SLF4J: without slf4j-api its first KMS call fails.
        assertTrue(jars.stream().anyMatch(j -> j.contains("slf4j-api")), "slf4j-api: " + jars);
        assertTrue(jars.stream().anyMatch(j -> j.contains("url-connection-client")), "url-connection-client: " + jars);
        // Bedrock routes: the SDK's SigV4 signer and credential chain, and the event-stream frame decoder.
        for (String bedrock : List.of("lib/http-auth-aws-2", "lib/auth-2", "lib/eventstream-1")) {
            assertTrue(jars.stream().anyMatch(j -> j.startsWith(bedrock)), bedrock + ": " + jars);
        }
        assertFalse(jars.stream().anyMatch(j -> j.contains("apache-client") || j.contains("apache5-client")
                || j.contains("netty")), "only the url-connection HTTP client belongs in the package: " + jars);
        System.out.printf("Lambda package %s: %,d bytes, %d jars%n", zip.getFileName(), Files.size(zip), jars.size());

        unzipped = Files.createTempDirectory("llm-relay-lambda");
        Process extract = new ProcessBuilder(unzip.toString(), "-q", zip.toString(), "-d", unzipped.toString())
                .redirectErrorStream(true).start();
        String output = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(extract.waitFor(60, TimeUnit.SECONDS), "unzip did not finish");
        assertEquals(0, extract.exitValue(), "unzip: " + output);
        assertTrue(Files.isExecutable(unzipped.resolve("relay-wrapper")),
                "relay-wrapper is executable after unzip: the zip keeps file modes");
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (function != null) {
                function.destroy();
                if (!function.waitFor(10, TimeUnit.SECONDS)) {
                    function.destroyForcibly();
                    function.waitFor(10, TimeUnit.SECONDS);
                }
            }
            if (api != null) {
                api.close();
            }
        } finally {
            if (functionLog != null && Files.exists(functionLog)) {
                System.out.println("--- function output ---\n" + Files.readString(functionLog));
            }
            if (functionLog != null) {
                Files.deleteIfExists(functionLog);
            }
            if (unzipped != null) {
                try (Stream<Path> files = Files.walk(unzipped)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    @Test
    void theWrapperFromTheUnpackedZipServesStreamedInvocationsOneAfterAnother() throws Exception {
        api = LocalRuntimeApi.start();
        startLikeLambda();

        // The wrapper exec'd our runtime, which is now waiting in `next`.
        awaitFirstNext();
        List<String> commandLine = function.info().arguments().map(Arrays::asList).orElse(List.of());
        boolean linux = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux");
        assertTrue(!linux || !commandLine.isEmpty(), "/proc shows the function's command line on Linux");
        if (!commandLine.isEmpty()) {
            System.out.println("function command line after exec: " + function.info().command().orElse("?") + " " + commandLine);
            assertTrue(function.info().command().orElse("").endsWith("/java"), "the wrapper exec'd java (same pid)");
            assertTrue(commandLine.contains("io.llmrelay.cli.Main"), "exec'd our main: " + commandLine);
            assertTrue(commandLine.contains("lambda"), commandLine.toString());
            assertTrue(commandLine.contains("-XX:MaxHeapSize=445645k"), "Lambda's heap flag is kept: " + commandLine);
            assertTrue(commandLine.contains("-XX:+UseSerialGC"), commandLine.toString());
            assertFalse(commandLine.stream().anyMatch(a -> a.contains("/var/runtime")), "Lambda's classpath is gone");
            assertFalse(commandLine.contains("com.amazonaws.services.lambda.runtime.api.client.AWSLambda"));
            assertFalse(commandLine.contains("-Xshare:auto"), "Lambda's CDS flag is dropped");
        }

        streamedChat();
        JsonNode models = whole("models.json", 200);
        assertEquals("list", models.path("object").asText());
        assertEquals(1, models.path("data").size(), models.toString());
        assertEquals(DemoModel.MODEL, models.path("data").get(0).path("id").asText());
        assertEquals("model", models.path("data").get(0).path("object").asText());

        JsonNode missingKey = whole("chat-missing-key.json", 401);
        assertEquals("invalid_api_key", missingKey.path("error").path("code").asText(), missingKey.toString());

        JsonNode malformed = whole("chat-malformed-json.json", 400);
        assertEquals("invalid_request_error", malformed.path("error").path("type").asText(), malformed.toString());

        // After all that, the same process is back in `next`, waiting for more.
        awaitIdle();
        assertTrue(function.isAlive(), "the runtime loop keeps running between invocations");
        assertEquals(List.of(), api.initErrors());
    }

    private void startLikeLambda() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String config = """
                {"callers":[{"name":"example","keySha256":"%s"}],
                 "routes":[{"name":"demo","type":"demo","models":["relay-demo"],"default":true}]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY));
        // The managed java25 runtime's command line (see src/lambda/relay-wrapper), minus its agent.
        ProcessBuilder builder = new ProcessBuilder(
                unzipped.resolve("relay-wrapper").toString(),
                java,
                "-XX:MaxHeapSize=445645k",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-classpath", "/var/runtime/lib/aws-lambda-java-core.jar:/var/runtime/lib/runtime.jar",
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                HANDLER);
        Map<String, String> env = builder.environment();
        env.clear(); // Lambda gives a function its own environment, not ours
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "C.UTF-8");
        env.put("LAMBDA_TASK_ROOT", unzipped.toString());
        env.put("_HANDLER", HANDLER);
        env.put("AWS_LAMBDA_RUNTIME_API", api.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "llm-relay");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_REGION", "us-east-1");
        env.put("RELAY_CONFIG", config);
        functionLog = Files.createTempFile("llm-relay-function", ".log");
        function = builder.directory(unzipped.toFile())
                .redirectErrorStream(true)
                .redirectOutput(functionLog.toFile())
                .start();
    }

    private void awaitFirstNext() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (api.idleEnvironments() == 0) {
            if (!function.isAlive()) {
                fail("the function exited with " + function.exitValue() + " before its first next:\n" + log());
            }
            if (System.nanoTime() > deadline) {
                fail("no next from the function within 60 s:\n" + log());
            }
            Thread.sleep(10);
        }
        assertEquals(List.of(), api.initErrors(), "init errors");
    }

    private void awaitIdle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (api.idleEnvironments() == 0) {
            assertTrue(System.nanoTime() < deadline, "the function did not come back to next:\n" + log());
            assertTrue(function.isAlive(), "the function exited:\n" + log());
            Thread.sleep(10);
        }
    }

    private String log() throws IOException {
        return Files.readString(functionLog);
    }

    private static byte[] event(String name) throws IOException {
        return Files.readAllBytes(Path.of("events", name));
    }

    private PendingInvocation.Streamed invoke(String eventName) throws Exception {
        PendingInvocation invocation = api.submit(event(eventName), 60_000);
        PendingInvocation.Result result = invocation.result().get(60, TimeUnit.SECONDS);
        return assertInstanceOf(PendingInvocation.Streamed.class, result,
                eventName + ": the function answered with a response stream, not /error: " + result);
    }

    /** The prelude JSON up to its 8 NULs, read byte by byte so nothing of the body is consumed. */
    private static byte[] prelude(InputStream body) throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        int b;
        while ((b = body.read()) != 0) {
            assertTrue(b != -1, "the body ended inside the prelude: " + json.toString(StandardCharsets.UTF_8));
            json.write(b);
        }
        for (int i = 1; i < HttpIntegrationPrelude.SEPARATOR_LENGTH; i++) {
            assertEquals(0, body.read(), "NUL " + (i + 1) + " of 8 after the prelude");
        }
        return json.toByteArray();
    }

    private void streamedChat() throws Exception {
        byte[] event = event("chat-stream.json");
        JsonNode parsed = Json.MAPPER.readTree(event);
        assertEquals("Bearer " + CALLER_KEY, parsed.path("headers").path("authorization").asText());
        assertTrue(parsed.path("body").asText().contains("\"stream\":true"));

        PendingInvocation.Streamed response = invoke("chat-stream.json");
        assertEquals(HttpIntegrationPrelude.CONTENT_TYPE, response.contentType());
        assertEquals("streaming", response.requestHeaders().get("lambda-runtime-function-response-mode"));
        InputStream body = response.body();

        byte[] preludeBytes = prelude(body);
        JsonNode prelude = Json.MAPPER.readTree(preludeBytes);
        assertEquals(200, prelude.path("statusCode").asInt(), prelude.toString());
        assertEquals("text/event-stream; charset=utf-8", prelude.path("headers").path("content-type").asText());
        assertEquals("no-cache", prelude.path("headers").path("cache-control").asText());
        assertFalse(prelude.path("headers").path("x-request-id").asText().isEmpty(), prelude.toString());

        // Events one by one: the first is here while the demo is still pausing between words.
        SseEvents events = new SseEvents(body);
        String first = events.next();
        assertNotNull(first, "a first event");
        assertFalse(response.completion().isDone(),
                "the first event arrived while the function was still writing the rest");
        List<String> data = new ArrayList<>(List.of(first));
        String next;
        while ((next = events.next()) != null) {
            data.add(next);
        }
        PendingInvocation.StreamEnd end = response.completion().get(30, TimeUnit.SECONDS);
        assertTrue(end.succeeded(), "no error trailers: " + end);

        assertEquals("[DONE]", data.getLast(), "the stream ends with data: [DONE]");
        assertEquals(1, data.stream().filter("[DONE]"::equals).count(), "exactly one [DONE]");
        assertTrue(events.raw().endsWith("data: [DONE]\n\n"), "ends with data: [DONE] and a blank line");
        StringBuilder text = new StringBuilder();
        boolean sawUsage = false;
        for (String chunkData : data.subList(0, data.size() - 1)) {
            JsonNode chunk = Json.MAPPER.readTree(chunkData);
            assertEquals("chat.completion.chunk", chunk.path("object").asText(), chunkData);
            assertTrue(chunk.hasNonNull("id") && chunk.hasNonNull("created") && chunk.hasNonNull("model"), chunkData);
            if (chunk.path("choices").isEmpty()) {
                sawUsage |= chunk.hasNonNull("usage");
            } else {
                text.append(chunk.path("choices").get(0).path("delta").path("content").asText(""));
            }
        }
        assertEquals(DemoModel.REPLY, text.toString());
        assertTrue(sawUsage, "include_usage in the event: a usage chunk with choices: []");
        assertTrue(data.size() > 10, "word by word, not one block: " + data.size() + " events");
        assertEquals(events.raw().getBytes(StandardCharsets.UTF_8).length
                + preludeBytes.length + HttpIntegrationPrelude.SEPARATOR_LENGTH, end.bodyBytes(),
                "the response is exactly prelude, separator and events");
    }

    /** A response read whole; asserts its status and that the stream ended without error trailers. */
    private JsonNode whole(String eventName, int expectedStatus) throws Exception {
        PendingInvocation.Streamed response = invoke(eventName);
        assertEquals(HttpIntegrationPrelude.CONTENT_TYPE, response.contentType(), eventName);
        InputStream body = response.body();
        JsonNode prelude = Json.MAPPER.readTree(prelude(body));
        assertEquals(expectedStatus, prelude.path("statusCode").asInt(), eventName + ": " + prelude);
        assertTrue(prelude.path("headers").path("content-type").asText().startsWith("application/json"),
                eventName + ": " + prelude);
        byte[] content = body.readAllBytes();
        assertTrue(response.completion().get(30, TimeUnit.SECONDS).succeeded(), eventName);
        return Json.MAPPER.readTree(content);
    }

    /** A strict little reader of {@code data: ...\n\n} events, one at a time. */
    private static final class SseEvents {
        private final InputStream in;
        private final StringBuilder raw = new StringBuilder();

        SseEvents(InputStream in) {
            this.in = in;
        }

        /** The next event's data, or null at the end of the body. */
        String next() throws IOException {
            ByteArrayOutputStream event = new ByteArrayOutputStream();
            int previous = -1;
            int b;
            while ((b = in.read()) != -1) {
                event.write(b);
                if (b == '\n' && previous == '\n') {
                    String text = event.toString(StandardCharsets.UTF_8);
                    raw.append(text);
                    assertTrue(text.startsWith("data: ") && text.indexOf('\n') == text.length() - 2,
                            "one data line per event: " + text);
                    return text.substring("data: ".length(), text.length() - 2);
                }
                previous = b;
            }
            assertEquals(0, event.size(), "the body ended inside an event: " + event.toString(StandardCharsets.UTF_8));
            return null;
        }

        String raw() {
            return raw.toString();
        }
    }
}

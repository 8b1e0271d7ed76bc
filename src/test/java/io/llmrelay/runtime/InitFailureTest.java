package io.llmrelay.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ConfigException;
import io.llmrelay.json.Json;
import io.llmrelay.local.LocalRuntimeApi;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A handler that cannot be created is reported as what went wrong (the constructor's own
 * exception, its message and its causes) to {@code /init/error} and stdout, never as the
 * {@code InvocationTargetException} that reflection wraps it in.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InitFailureTest {
    private LocalRuntimeApi api;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws Exception {
        api = LocalRuntimeApi.start();
    }

    @AfterEach
    void stop() throws Exception {
        api.close();
    }

    /** Runs the loop to its end (init fails) and returns the one init error it reported. */
    private JsonNode initError(HandlerFactory handlers) throws IOException {
        RuntimeLoop loop = new RuntimeLoop(new RuntimeApiClient(api.address(), "test"), handlers,
                new FunctionEnvironment("f", "1", 128, "/g", "s"), System::currentTimeMillis,
                new PrintStream(stdout, true, StandardCharsets.UTF_8));
        assertEquals(RuntimeLoop.Exit.INIT_FAILED, loop.run());
        assertEquals(1, api.initErrors().size());
        assertFalse(api.initErrors().get(0).contains("InvocationTargetException"), api.initErrors().get(0));
        assertFalse(log().contains("InvocationTargetException"), log());
        return Json.MAPPER.readTree(api.initErrors().get(0));
    }

    private String log() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aConfigErrorInTheConstructorIsReportedFieldByField() throws Exception {
        JsonNode report = initError(HandlerFactory.named(BadConfigHandler.class.getName()));
        assertEquals("io.llmrelay.config.ConfigException", report.get("errorType").asText());
        String message = report.get("errorMessage").asText();
        assertTrue(message.contains("routes[0].baseUrl: is required"), message);
        assertTrue(message.contains("callers[1].keySha256: must be 64 hex digits"), message);
        assertTrue(report.get("stackTrace").get(0).asText().contains("BadConfigHandler.<init>"), report.toString());
        assertTrue(log().startsWith("llm-relay runtime: init failed: io.llmrelay.config.ConfigException: invalid relay"
                + " config (RELAY_CONFIG): 2 problems\n  - routes[0].baseUrl: is required\n  - callers[1].keySha256"), log());
    }

    @Test
    void theConstructorsExceptionIsThrownAsItIsAndKeepsItsCause() throws Exception {
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> HandlerFactory.named(CausedHandler.class.getName()).create());
        assertEquals("could not start", thrown.getMessage());
        assertEquals("disk gone", thrown.getCause().getMessage());

        JsonNode report = initError(HandlerFactory.named(CausedHandler.class.getName()));
        assertEquals("java.lang.IllegalStateException", report.get("errorType").asText());
        assertEquals("could not start", report.get("errorMessage").asText());
        assertTrue(report.get("stackTrace").toString().contains("Caused by: java.io.IOException: disk gone"), report.toString());
        assertTrue(log().contains("init failed: java.lang.IllegalStateException: could not start; caused by"
                + " java.io.IOException: disk gone"), log());
    }

    @Test
    void aFailingStaticInitializerIsReportedAsWhatItThrew() throws Exception {
        JsonNode report = initError(HandlerFactory.named(StaticFailureHandler.class.getName()));
        assertEquals("java.lang.IllegalStateException", report.get("errorType").asText());
        assertEquals("static boom", report.get("errorMessage").asText());
    }

    @Test
    void aFactoryThatUsesReflectionItselfIsUnwrappedByTheLoop() throws Exception {
        IllegalStateException cause = new IllegalStateException("inner");
        JsonNode report = initError(() -> {
            throw new java.lang.reflect.InvocationTargetException(cause);
        });
        assertEquals("java.lang.IllegalStateException", report.get("errorType").asText());
        assertEquals("inner", report.get("errorMessage").asText());
        assertSame(cause, Failures.unwrapReflective(new java.lang.reflect.InvocationTargetException(cause)));
    }

    @Test
    void aHandlerWithoutAPublicNoArgumentConstructorIsNamedSo() throws Exception {
        JsonNode report = initError(HandlerFactory.named(NoDefaultConstructor.class.getName()));
        assertTrue(report.get("errorMessage").asText().endsWith("has no public no-argument constructor"), report.toString());
    }

    /**
     * The whole Lambda entry point in a JVM of its own, as Lambda starts it: {@code _HANDLER} names
     * the relay's handler and {@code RELAY_CONFIG} is wrong.
     */
    @Test
    void theRelayHandlerWithABadRelayConfigReportsTheConfigErrorThroughLambdaMain() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", classPath, "io.llmrelay.cli.Main", "lambda");
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("RELAY_"));
        builder.environment().put("AWS_LAMBDA_RUNTIME_API", api.address());
        builder.environment().put("_HANDLER", "io.llmrelay.app.LambdaHandler");
        builder.environment().put("RELAY_PREWARM", "off");
        builder.environment().put("RELAY_CONFIG", "{\"routes\": [{\"name\": \"a\", \"baseURL\": \"https://a.example\","
                + " \"apiKey\": \"env:A\", \"default\": true}]}");
        Process process = builder.redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(3, process.exitValue(), output);
        assertTrue(output.contains("llm-relay runtime: init failed: io.llmrelay.config.ConfigException: invalid relay"
                + " config (RELAY_CONFIG)"), output);
        assertTrue(output.contains("routes[0].baseURL: unknown field (did you mean 'baseUrl'?)"), output);
        assertFalse(output.contains("InvocationTargetException"), output);
        JsonNode report = Json.MAPPER.readTree(api.initErrors().get(0));
        assertEquals("io.llmrelay.config.ConfigException", report.get("errorType").asText());
        assertTrue(report.get("errorMessage").asText().contains("routes[0].baseUrl: is required"), report.toString());
    }

    public static final class BadConfigHandler extends Echo {
        public BadConfigHandler() {
            throw new ConfigException("RELAY_CONFIG",
                    List.of("routes[0].baseUrl: is required", "callers[1].keySha256: must be 64 hex digits"));
        }
    }

    public static final class CausedHandler extends Echo {
        public CausedHandler() {
            throw new IllegalStateException("could not start", new IOException("disk gone"));
        }
    }

    public static final class StaticFailureHandler extends Echo {
        static {
            if (Boolean.TRUE) {
                throw new IllegalStateException("static boom");
            }
        }
    }

    public static final class NoDefaultConstructor extends Echo {
        public NoDefaultConstructor(String unused) {
        }
    }

    public static class Echo implements RequestStreamHandler {
        @Override
        public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
            input.transferTo(output);
        }
    }
}

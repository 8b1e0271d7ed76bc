package io.llmrelay.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyUnavailableException;
import io.llmrelay.relay.RelayHandler;
import io.llmrelay.relay.RelaySetup;
import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.demo.DemoModel;
import io.llmrelay.upstream.openai.OpenAiUpstream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Before a SnapStart snapshot: the request path run end to end, in process, so that the first
 * request after a restore finds its classes loaded, linked and compiled. A relay of its own (the
 * real {@link RelayHandler} and everything under it: Function URL event, caller check, routing,
 * attempts, the OpenAI-compatible adapter's SSE reading and chunk checks, scrubbing, the chat SSE
 * writer, the prelude, the request log line) on a fixed configuration: one caller, one route to the
 * offline demo model with no pauses between words, answers written to memory, the log to nowhere.
 * Nothing leaves the process, nothing is logged, and no key is resolved: the demo route has none,
 * and this relay's key resolver refuses every reference. The function's own relay is not touched,
 * so its caches and its HTTP client's pool stay empty.
 */
final class RequestPathPriming {
    private static final String CALLER_KEY = "llm-relay-priming";
    /**
     * Enough rounds for the once-per-request code to be compiled in the snapshot: relay-wrapper runs
     * a SnapStart init with -XX:CompileThresholdScaling=0.05, under which C1 compiles a method after
     * about 10 calls (12 rounds of 4 requests each); the streams are ~25 events each.
     */
    private static final int ROUNDS = 12;
    private static final String STREAMED = "{\"model\":\"" + DemoModel.MODEL + "\",\"stream\":true,"
            + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}";
    private static final String WHOLE = "{\"model\":\"" + DemoModel.MODEL + "\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"Hello!\"}]}";

    private RequestPathPriming() {}

    /** Runs the rounds; throws when an answer is not what the demo gives (the request path is broken). */
    static void run() throws IOException {
        RelayHandler relay = new RelayHandler(setup());
        for (int round = 0; round < ROUNDS; round++) {
            expect(relay, "POST", "/v1/chat/completions", CALLER_KEY, STREAMED, "data: [DONE]\n\n", round);
            expect(relay, "POST", "/v1/chat/completions", CALLER_KEY, WHOLE, "\"chat.completion\"", round);
            expect(relay, "GET", "/v1/models", CALLER_KEY, null, DemoModel.MODEL, round);
            expect(relay, "POST", "/v1/chat/completions", "not-the-key", STREAMED, "invalid_api_key", round);
        }
        firstVirtualThread();
    }

    /**
     * A finished stream from an https upstream is read to its end on a virtual thread (the JDK
     * client's body, upstream.http.JdkBody), as a hedge's attempt runs on one; the demo's streams
     * start none. A JVM's first virtual thread costs tens of milliseconds (its scheduler and classes:
     * ~30 ms against ~1.4 ms for the second, measured in a fresh JDK 25), which would otherwise fall
     * on the end of the first such invocation after a restore.
     */
    private static void firstVirtualThread() throws IOException {
        try {
            Thread.ofVirtual().name("llm-relay-priming").start(() -> { }).join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("priming interrupted", e);
        }
    }

    private static RelaySetup setup() {
        RelayConfig config = ConfigLoader.parse("""
                {"callers": [{"name": "priming", "keySha256": "%s"}],
                 "routes": [{"name": "priming", "type": "demo", "models": ["%s"], "default": true}]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY), DemoModel.MODEL), "priming");
        Upstream demo = new OpenAiUpstream(new DemoModel(Duration.ZERO));
        KeyResolver noKeys = (route, ref) -> {
            throw new KeyUnavailableException("priming resolves no key");
        };
        PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        return new RelaySetup(ConfigSource.fixed(config), noKeys, false, (route, notes) -> demo, nowhere,
                LogLevel.INFO, Pause.sleeping());
    }

    private static void expect(RelayHandler relay, String method, String path, String key, String body, String expected,
            int round) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        relay.handleRequest(new ByteArrayInputStream(event(method, path, key, body)), answer,
                new PrimingContext("priming-" + round + "-" + path.length()));
        if (!answer.toString(StandardCharsets.UTF_8).contains(expected)) {
            throw new IOException("priming: " + method + " " + path + " did not answer with " + expected);
        }
    }

    /** A Function URL event (payload format 2.0), as Lambda delivers one. */
    private static byte[] event(String method, String path, String key, String body) {
        ObjectNode event = Json.object();
        event.put("version", "2.0").put("routeKey", "$default").put("rawPath", path).put("rawQueryString", "");
        event.putObject("headers").put("authorization", "Bearer " + key).put("content-type", "application/json")
                .put("host", "priming.lambda-url.us-east-1.on.aws");
        ObjectNode context = event.putObject("requestContext");
        context.put("requestId", "priming").put("accountId", "anonymous");
        context.putObject("http").put("method", method).put("path", path).put("protocol", "HTTP/1.1")
                .put("sourceIp", "127.0.0.1").put("userAgent", "llm-relay-priming");
        if (body != null) {
            event.put("body", body).put("isBase64Encoded", false);
        }
        return Json.writeBytes(event);
    }
}

package io.llmrelay.app;

import io.llmrelay.testing.Background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.aws.AwsClients;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.keys.KmsKeyResolver;
import io.llmrelay.local.LocalRuntimeApi;
import io.llmrelay.local.PendingInvocation;
import io.llmrelay.runtime.ExecutionEnvironment;
import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.RuntimeApiClient;
import io.llmrelay.runtime.RuntimeLoop;
import io.llmrelay.testing.CountingInterceptor;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.MotoServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;

/**
 * The function's handler ({@link LambdaHandler}) under SnapStart, through the real runtime and the
 * Jetty Runtime API, with {@code kms:} and {@code secretsmanager:} key references served by
 * moto_server and every AWS call counted: priming runs before {@code restore/next} with the AWS
 * clients of both schemes built, and not one KMS or Secrets Manager call is made until the first
 * request that needs a key; the upstream hears nothing from priming either.
 */
@Timeout(60)
class SnapStartPrimingTest {
    private static final String CALLER_KEY = "rk-snapstart-test-caller";
    private static MotoServer moto;
    private static FakeUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        upstream = FakeUpstream.start();
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void primingBeforeTheSnapshotResolvesNoKeyAndTheFirstRequestsThenDo() throws Exception {
        CountingInterceptor calls = new CountingInterceptor();
        String kmsReference;
        try (AwsClients admin = new AwsClients(moto.settings())) {
            String keyId = admin.kms().createKey(b -> b.description("snapstart")).keyMetadata().keyId();
            kmsReference = "kms:" + Base64.getEncoder().encodeToString(admin.kms().encrypt(b -> b.keyId(keyId)
                    .plaintext(SdkBytes.fromUtf8String("sk-kms-upstream-key"))
                    .encryptionContext(Map.of(KmsKeyResolver.CONTEXT_KEY, "by-kms"))).ciphertextBlob().asByteArray());
            admin.secretsManager().createSecret(b -> b.name("llm-relay/snapstart").secretString("sk-sm-upstream-key"));
        }
        String config = """
                {"callers": [{"name": "test", "keySha256": "%s"}],
                 "routes": [{"name": "by-kms", "baseUrl": "%s", "apiKey": "%s", "models": ["gpt-kms"]},
                            {"name": "by-secret", "baseUrl": "%s", "apiKey": "secretsmanager:llm-relay/snapstart",
                             "models": ["gpt-sm"]}]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY), upstream.baseUrl(), kmsReference, upstream.baseUrl());
        Map<String, String> env = Map.of("RELAY_CONFIG", config, "AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start",
                "RELAY_LOG_LEVEL", "off");
        upstream.respondWith(recorded -> Script.sse(200).chunk(Chunks.content("hi")).done());

        try (LocalRuntimeApi api = LocalRuntimeApi.start();
                AwsClients aws = new AwsClients(moto.settings().withInterceptor(calls))) {
            api.holdRestore();
            ExecutionEnvironment environment = new ExecutionEnvironment(
                    () -> new RuntimeApiClient(api.address(), "test"), () -> new LambdaHandler(env, aws),
                    new FunctionEnvironment("relay-test", "1", 1024, "", ""), System::currentTimeMillis,
                    new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), 1, true);
            CompletableFuture<RuntimeLoop.Exit> exit = CompletableFuture.supplyAsync(environment::run, Background.THREADS);
            try {
                assertEquals(0, api.restoreRequested().get(30, TimeUnit.SECONDS), "no next before the snapshot");

                assertTrue(aws.kmsBuilt() && aws.secretsManagerBuilt(), "the key schemes' clients are in the snapshot");
                assertEquals(0, calls.count("Decrypt"), "no KMS call before the first request");
                assertEquals(0, calls.count("GetSecretValue"), "no Secrets Manager call before the first request");
                assertEquals(0, upstream.requestCount(), "priming reached no upstream");

                api.restore();
                assertEquals("hi", content(api, "gpt-kms"));
                assertEquals(1, calls.count("Decrypt"));
                assertEquals(0, calls.count("GetSecretValue"));
                assertEquals("hi", content(api, "gpt-sm"));
                assertEquals(1, calls.count("GetSecretValue"));
                assertEquals("Bearer sk-kms-upstream-key", upstream.nextRequest().header("authorization"));
                assertEquals("Bearer sk-sm-upstream-key", upstream.nextRequest().header("authorization"));
                assertEquals(1, api.restoreNextCalls());
            } finally {
                environment.stop();
            }
            assertEquals(RuntimeLoop.Exit.STOPPED, exit.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void afterARestoreTheConfigurationSecretIsReadAgainBeforeAnyRequest() throws Exception {
        CountingInterceptor calls = new CountingInterceptor();
        String before = "{\"callers\": [], \"routes\": [{\"name\": \"r\", \"type\": \"demo\", \"models\": [\"relay-demo\"]}]}";
        String after = before.replace("\"callers\": []",
                "\"callers\": [{\"name\": \"added\", \"keySha256\": \"" + KeyDigest.sha256Hex(CALLER_KEY) + "\"}]");
        try (AwsClients admin = new AwsClients(moto.settings());
                AwsClients aws = new AwsClients(moto.settings().withInterceptor(calls))) {
            admin.secretsManager().createSecret(b -> b.name("llm-relay/config-restore").secretString(before));
            LambdaHandler handler = new LambdaHandler(Map.of("RELAY_CONFIG_SECRET", "llm-relay/config-restore",
                    "AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start", "RELAY_LOG_LEVEL", "off"), aws);
            assertEquals(1, calls.count("GetSecretValue"), "init reads the configuration");
            handler.beforeCheckpoint();
            assertEquals(1, calls.count("GetSecretValue"), "priming reads nothing");

            // The secret changes while the snapshot waits to be restored (a caller is added).
            admin.secretsManager().putSecretValue(b -> b.secretId("llm-relay/config-restore").secretString(after));
            handler.afterRestore();

            assertEquals(2, calls.count("GetSecretValue"), "the restore read the secret again");
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            handler.handleRequest(new java.io.ByteArrayInputStream(event("relay-demo").getBytes(StandardCharsets.UTF_8)),
                    answer, new PrimingContext("after-restore"));
            String text = answer.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("\"statusCode\":200") && text.endsWith("data: [DONE]\n\n"),
                    "the caller added after the snapshot is accepted: " + text);
            assertEquals(2, calls.count("GetSecretValue"), "the request used what the restore read");
        }
    }

    private static String event(String model) {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        return """
                {"version":"2.0","routeKey":"$default","rawPath":"/v1/chat/completions","rawQueryString":"",
                 "headers":{"authorization":"Bearer %s","content-type":"application/json"},
                 "requestContext":{"requestId":"r","http":{"method":"POST","path":"/v1/chat/completions",
                  "protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"test"}},
                 "body":%s,"isBase64Encoded":false}
                """.formatted(CALLER_KEY, io.llmrelay.json.Json.write(body));
    }

    /** One streamed chat completion through the Runtime API; the content of its one content chunk. */
    private static String content(LocalRuntimeApi api, String model) throws Exception {
        String event = event(model);
        PendingInvocation invocation = api.submit(event.getBytes(StandardCharsets.UTF_8), 30_000);
        PendingInvocation.Streamed streamed = assertInstanceOf(PendingInvocation.Streamed.class,
                invocation.result().get(20, TimeUnit.SECONDS));
        String answer = new String(streamed.body().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(answer.endsWith("data: [DONE]\n\n"), answer);
        int at = answer.indexOf("\"content\":\"") + "\"content\":\"".length();
        return answer.substring(at, answer.indexOf('"', at));
    }
}

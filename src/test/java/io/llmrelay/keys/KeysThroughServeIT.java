package io.llmrelay.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.MotoServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The whole key path as a user runs it, in real processes against moto_server: {@code encrypt-key}
 * makes a {@code kms:} reference, the reference goes into a config, {@code serve} starts with it,
 * and the upstream receives the plaintext key as Bearer. Also: the same ciphertext moved to
 * another route fails with 503; {@code secretsmanager:} references; the whole config document in
 * Secrets Manager; and nothing either process printed contains a key or ciphertext.
 */
@Timeout(180)
class KeysThroughServeIT {
    private static final String OPENAI_KEY = "sk-e2e-kms-key-7b3c1d";
    private static final String SECRET_KEY = "sk-e2e-secret-key-94e0aa";
    private static final String FIELD_KEY = "sk-e2e-json-field-key-51f2";
    private static final String CALLER_KEY = "rk-e2e-caller";

    private static MotoServer moto;
    private static FakeUpstream upstream;
    /** Everything the serve processes printed, stdout and stderr. */
    private static final List<String> printed = new ArrayList<>();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static String ciphertextReference;
    private static Map<String, String> awsEnv;

    @BeforeAll
    static void start() throws Exception {
        moto = MotoServer.start();
        upstream = FakeUpstream.start();
        awsEnv = Map.of(
                "AWS_ENDPOINT_URL", moto.endpoint().toString(),
                "AWS_REGION", MotoServer.REGION.id(),
                "AWS_ACCESS_KEY_ID", MotoServer.ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY", MotoServer.SECRET_ACCESS_KEY);
        String keyId;
        try (KmsClient kms = KmsClient.builder().endpointOverride(moto.endpoint()).region(MotoServer.REGION)
                .credentialsProvider(MotoServer.CREDENTIALS).build()) {
            keyId = kms.createKey(b -> b.description("llm-relay e2e")).keyMetadata().keyId();
        }
        ciphertextReference = encryptKey(keyId, "main", OPENAI_KEY);
        try (SecretsManagerClient sm = SecretsManagerClient.builder().endpointOverride(moto.endpoint())
                .region(MotoServer.REGION).credentialsProvider(MotoServer.CREDENTIALS).build()) {
            sm.createSecret(b -> b.name("llm-relay/plain").secretString(SECRET_KEY));
            sm.createSecret(b -> b.name("llm-relay/json").secretString("{\"apiKey\":\"" + FIELD_KEY + "\"}"));
            sm.createSecret(b -> b.name("llm-relay/config").secretString(config()));
        }
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

    private static String config() {
        return """
                {"callers": [{"name": "e2e", "keySha256": "%s"}],
                 "routes": [
                   {"name": "main", "baseUrl": "%s", "apiKey": "%s", "models": ["main-model"]},
                   {"name": "moved", "baseUrl": "%s", "apiKey": "%s", "models": ["moved-model"]},
                   {"name": "plain", "baseUrl": "%s", "apiKey": "secretsmanager:llm-relay/plain", "models": ["plain-model"]},
                   {"name": "field", "baseUrl": "%s", "apiKey": "secretsmanager:llm-relay/json#apiKey", "models": ["field-model"]}
                 ]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY), upstream.baseUrl(), ciphertextReference,
                upstream.baseUrl(), ciphertextReference, upstream.baseUrl(), upstream.baseUrl());
    }

    @Test
    void keysFromKmsAndSecretsManagerReachTheUpstreamAndNeverTheOutput() throws Exception {
        Path file = Files.createTempFile("relay-e2e", ".json");
        Files.writeString(file, config());
        try (RelayProcess relay = RelayProcess.serve(List.of("--config", file.toString()), awsEnv)) {
            assertEquals(200, chat(relay.url, "main-model").statusCode());
            assertEquals("Bearer " + OPENAI_KEY, upstream.nextRequest().header("authorization"));

            HttpResponse<String> moved = chat(relay.url, "moved-model");
            assertEquals(503, moved.statusCode(), moved.body());
            JsonNode error = Json.MAPPER.readTree(moved.body()).get("error");
            assertEquals("upstream_key_unavailable", error.get("code").asText());
            assertTrue(error.get("message").asText().contains("moved"), error.toString());
            assertFalse(moved.body().contains(ciphertextReference.substring(4, 40)), "no ciphertext in the answer");

            assertEquals(200, chat(relay.url, "plain-model").statusCode());
            assertEquals("Bearer " + SECRET_KEY, upstream.nextRequest().header("authorization"));
            assertEquals(200, chat(relay.url, "field-model").statusCode());
            assertEquals("Bearer " + FIELD_KEY, upstream.nextRequest().header("authorization"));
        } finally {
            Files.deleteIfExists(file);
        }
        assertNothingSecretPrinted();
    }

    @Test
    void theWholeConfigCanLiveInSecretsManager() throws Exception {
        Map<String, String> env = new HashMap<>(awsEnv);
        env.put("RELAY_CONFIG_SECRET", "llm-relay/config");
        try (RelayProcess relay = RelayProcess.serve(List.of(), env)) {
            assertEquals(200, chat(relay.url, "main-model").statusCode());
            assertEquals("Bearer " + OPENAI_KEY, upstream.nextRequest().header("authorization"));
        }
        assertNothingSecretPrinted();
    }

    private static void assertNothingSecretPrinted() {
        String all = String.join("\n", printed);
        assertFalse(all.isEmpty(), "the processes' output was captured");
        for (String secret : List.of(OPENAI_KEY, SECRET_KEY, FIELD_KEY, CALLER_KEY, ciphertextReference.substring(4))) {
            assertFalse(all.contains(secret), "a key or ciphertext was printed: " + secret.substring(0, 8) + "...");
        }
    }

    private static HttpResponse<String> chat(URI base, String model) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        return http.send(HttpRequest.newBuilder(base.resolve("/v1/chat/completions"))
                .header("authorization", "Bearer " + CALLER_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code echo KEY | java -jar llm-relay.jar encrypt-key ...}: returns the last line, the reference. */
    private static String encryptKey(String keyId, String route, String plaintext) throws Exception {
        Process process = javaJar(List.of("encrypt-key", "--kms-key-id", keyId, "--route", route), awsEnv).start();
        process.getOutputStream().write((plaintext + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String out = readAll(process.getInputStream());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "encrypt-key failed: " + err.get());
        // Printing the reference is encrypt-key's job; printing the key it read is not.
        assertFalse(out.contains(plaintext) || err.get().contains(plaintext), "encrypt-key printed the key");
        String[] lines = out.strip().split("\n");
        String reference = lines[lines.length - 1].strip();
        assertTrue(reference.startsWith("kms:"), "the last line is the reference: " + reference);
        return reference;
    }

    private static ProcessBuilder javaJar(List<String> args, Map<String, String> env) {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-jar", System.getProperty("relay.jar", "target/llm-relay.jar")));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("RELAY_"));
        builder.environment().putAll(env);
        return builder;
    }

    private static String readAll(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** {@code java -jar llm-relay.jar serve --port 0 ...} as its own process. */
    private static final class RelayProcess implements AutoCloseable {
        private static final Pattern LISTENING = Pattern.compile("Listening on (http://127\\.0\\.0\\.1:\\d+)");
        final Process process;
        final URI url;
        final Thread reader;

        private RelayProcess(Process process, URI url, Thread reader) {
            this.process = process;
            this.url = url;
            this.reader = reader;
        }

        static RelayProcess serve(List<String> extraArgs, Map<String, String> env) throws Exception {
            List<String> args = new ArrayList<>(List.of("serve", "--port", "0"));
            args.addAll(extraArgs);
            Process process = javaJar(args, env).redirectErrorStream(true).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<URI> url = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        synchronized (printed) {
                            printed.add(line);
                        }
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            url.complete(URI.create(m.group(1)));
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                }
                url.completeExceptionally(new AssertionError("serve ended before listening: " + printed));
            }, "serve-output");
            reader.start();
            return new RelayProcess(process, url.get(60, TimeUnit.SECONDS), reader);
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            process.waitFor(20, TimeUnit.SECONDS);
            reader.join(5_000);
        }
    }
}

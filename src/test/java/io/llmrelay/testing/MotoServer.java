package io.llmrelay.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.llmrelay.aws.AwsClientSettings;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/**
 * A real moto_server (AWS API emulator: KMS with real encryption, Secrets Manager) on a free
 * 127.0.0.1 port, started by a test and stopped by it. Missing moto skips the test, except under
 * {@code CI=true} where it fails (see {@link ExternalTool}).
 *
 * <pre>
 * static MotoServer moto;
 * &#64;BeforeAll static void start() throws Exception { moto = MotoServer.start(); }
 * &#64;AfterAll static void stop() { moto.close(); }
 * </pre>
 */
public final class MotoServer implements AutoCloseable {
    public static final Region REGION = Region.US_EAST_1;
    /** moto accepts any credentials; these are obviously fake. */
    public static final AwsCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));
    public static final String ACCESS_KEY_ID = "testing";
    public static final String SECRET_ACCESS_KEY = "testing";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    public static MotoServer start() throws IOException, InterruptedException {
        Path moto = ExternalTool.require("moto_server");
        int port = freePort();
        Path log = Files.createTempFile("moto-server-", ".log");
        Process process = new ProcessBuilder(moto.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        MotoServer server = new MotoServer(process, URI.create("http://127.0.0.1:" + port), log);
        try {
            server.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Where every service is served: pass to {@code endpointOverride} or {@code AWS_ENDPOINT_URL}. */
    public URI endpoint() {
        return endpoint;
    }

    /** Settings for {@link io.llmrelay.aws.AwsClients}: this endpoint, fake credentials, us-east-1. */
    public AwsClientSettings settings() {
        return AwsClientSettings.emulator(endpoint, REGION, CREDENTIALS);
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("moto_server exited with " + process.exitValue() + ":\n" + logText());
            }
            if (answers200()) {
                return;
            }
            Thread.sleep(100);
        }
        fail("moto_server did not answer GET /moto-api/ within " + START_TIMEOUT + ":\n" + logText());
    }

    private boolean answers200() {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(5000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    private String logText() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Stops moto and whatever it started (the shim may run it as a child), then removes its log. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file; nothing depends on it
        }
    }
}

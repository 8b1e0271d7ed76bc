package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.cli.probe.PacedUpstream.Script;
import io.llmrelay.testing.FakeUpstream.Chunks;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS, as deployed Function URLs are: the probe streams over TLS, and a certificate its trust
 * store does not accept is one clear line, not a stack trace. The certificate is made for
 * 127.0.0.1 by the running JDK's own keytool, so no key material is kept in the repository.
 */
class ProbeTlsTest {
    private static final char[] PASSWORD = "probe-test".toCharArray();

    @TempDir
    static Path dir;
    static KeyStore keyStore;
    static PacedUpstream upstream;

    @BeforeAll
    static void start() throws Exception {
        Path file = dir.resolve("localhost.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "probe", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String said = new String(keytool.getInputStream().readAllBytes());
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + said);
        keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            keyStore.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(keyStore, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), null, null);
        upstream = PacedUpstream.startTls(server, Script.sse().events(Chunks.role()).pause(10)
                .paced(3, 10, i -> Chunks.content("w" + i)).pause(10).events(Chunks.finish("stop"), "[DONE]"));
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
    }

    @Test
    void aStreamOverHttpsIsMeasured() throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(keyStore);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        try (HttpClient http = ProbeClient.httpClientBuilder().sslContext(client).build()) {
            Probing.Result r = Probing.probe(http, Map.of(), upstream.tlsBaseUrl(), "--requests", "2");

            assertEquals(0, r.exit(), r.out());
            assertEquals(5, r.request(1).path("chunks").asInt());
            assertEquals(1, r.request(1).path("doneCount").asInt());
        }
    }

    @Test
    void aCertificateTheDefaultTrustStoreRefusesIsOneClearLine() throws Exception {
        try (HttpClient http = Probing.http()) {
            Probing.Result r = Probing.probe(http, Map.of(), upstream.tlsBaseUrl(), "--requests", "1");

            assertEquals(1, r.exit());
            assertTrue(r.out().contains("A #1: TLS failed: "), r.out());
            r.assertNoStackTrace();
        }
    }
}

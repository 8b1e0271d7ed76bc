package io.llmrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The bench's TLS identity, made fresh at bench start with the JDK's {@code keytool}: a self-signed
 * EC P-256 certificate for 127.0.0.1 and localhost (ECDSA P-256 is what large API front ends such as
 * Cloudflare serve by default), the upstream's key store, and a trust store for the relay process
 * that is the JDK's own {@code cacerts} plus that certificate. Handing the relay the whole of
 * {@code cacerts} keeps its TLS set-up (reading and parsing ~150 roots) as costly as with the default
 * trust store; the relay gets it only through {@code -Djavax.net.ssl.trustStore} on the bench's command
 * line, so neither the relay's code nor any trust store outside the bench's temporary directory changes.
 */
final class BenchTrust implements AutoCloseable {
    static final String PASSWORD = "changeit"; // cacerts' well-known password; nothing here is secret

    private final Path dir;
    private final Path keyStore;
    private final Path trustStore;

    private BenchTrust(Path dir) {
        this.dir = dir;
        this.keyStore = dir.resolve("upstream.p12");
        this.trustStore = dir.resolve("relay-truststore.p12");
    }

    /** @param javaHome the JDK whose {@code cacerts} the relay's trust store starts from (the relay's JVM) */
    static BenchTrust create(Path javaHome) throws IOException, InterruptedException {
        BenchTrust trust = new BenchTrust(Files.createTempDirectory("llm-relay-bench-tls-"));
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path cert = trust.dir.resolve("upstream.crt");
        run(keytool, "-genkeypair", "-keystore", trust.keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-dname", "CN=llm-relay-bench-upstream", "-validity", "2",
                "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        run(keytool, "-exportcert", "-keystore", trust.keyStore.toString(), "-storepass", PASSWORD,
                "-alias", "upstream", "-rfc", "-file", cert.toString());
        Path cacerts = javaHome.resolve("lib/security/cacerts");
        Files.copy(cacerts, trust.trustStore);
        run(keytool, "-importcert", "-noprompt", "-keystore", trust.trustStore.toString(), "-storepass", PASSWORD,
                "-alias", "llm-relay-bench-upstream", "-file", cert.toString());
        return trust;
    }

    Path keyStore() {
        return keyStore;
    }

    /** The JVM options that make the relay trust the bench's upstream (and every public root, as by default). */
    List<String> relayJvmOptions() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore, "-Djavax.net.ssl.trustStorePassword=" + PASSWORD,
                "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool failed: " + String.join(" ", command) + "\n" + output);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}

package io.llmrelay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS identity for an upstream on 127.0.0.1, made fresh by the running JDK's own {@code keytool}
 * (a self-signed EC P-256 certificate for {@code ip:127.0.0.1}, as ProbeTlsTest and
 * Http1ConnectionsTest make theirs), so no key material is kept in the repository.
 *
 * <p>A relay built in process with its production set-up ({@code UpstreamHttp.standard()}: the
 * JDK's default {@link SSLContext}) trusts it only through {@link #trustedByDefault()}, the in-process
 * form of what bench/BenchTrust gives the relay's JVM on its command line: a trust store that is the
 * JDK's own {@code cacerts} plus this certificate, so every public root stays trusted as by default.
 * Nothing of the relay's code or of any trust store file changes.
 */
public final class LoopbackTls {
    private static final char[] PASSWORD = "loopback-test".toCharArray(); // of a throwaway test identity

    private final KeyStore identity;

    private LoopbackTls(KeyStore identity) {
        this.identity = identity;
    }

    /** Runs keytool (about a second) and writes its key store under {@code dir}. */
    public static LoopbackTls create(Path dir) throws IOException, InterruptedException, GeneralSecurityException {
        Path file = dir.resolve("loopback-upstream.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)).redirectErrorStream(true).start();
        String said = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + said);
        }
        KeyStore identity = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            identity.load(in, PASSWORD);
        }
        return new LoopbackTls(identity);
    }

    /** The upstream's side: its key and certificate. */
    public SSLContext server() throws GeneralSecurityException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keys.getKeyManagers(), null, null);
        return server;
    }

    /** The JDK's cacerts plus this certificate, as BenchTrust builds the bench relay's trust store. */
    public SSLContext trustingClient() throws GeneralSecurityException, IOException {
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
            trusted.load(in, "changeit".toCharArray()); // cacerts' well-known password, as BenchTrust uses it
        }
        trusted.setCertificateEntry("llm-relay-loopback-upstream", identity.getCertificate("upstream"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        return client;
    }

    /**
     * Makes {@link #trustingClient()} the JVM's default {@link SSLContext} until the returned handle is
     * closed, which puts the previous default back. Clients built meanwhile without an SSLContext of
     * their own (the relay's JDK client, its HTTP/1.1 client's TLS sockets) trust this upstream. JVM-wide:
     * for tests that run alone in their JVM's turn (surefire runs test classes one after another here).
     */
    public AutoCloseable trustedByDefault() throws GeneralSecurityException, IOException {
        SSLContext previous = SSLContext.getDefault();
        SSLContext.setDefault(trustingClient());
        return () -> SSLContext.setDefault(previous);
    }
}

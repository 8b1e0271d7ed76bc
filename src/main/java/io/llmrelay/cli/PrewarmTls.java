package io.llmrelay.cli;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * One HTTPS exchange on 127.0.0.1, for {@link Prewarm}: the first TLS handshake of a fresh JVM
 * (TLS 1.3, ECDHE key exchange, an ECDSA P-256 certificate checked by the PKIX trust manager, AES-GCM
 * records, the JDK client's SSLEngine plumbing) costs a few hundred milliseconds of class loading and
 * interpreted code, and over an HTTPS upstream it sits on the first request's path
 * (bench/ coldstart tls-env; figures in README "Performance"). Done in init where init is ahead of
 * requests (SnapStart, provisioned concurrency), it lands in the snapshot; beside an on-demand init it
 * only competed for the CPU, so {@link Prewarm} does not run it there.
 *
 * <p>The identity is {@code prewarm-loopback.p12}, a throwaway self-signed key and certificate
 * (CN=llm-relay-prewarm-loopback, 127.0.0.1) shipped in the jar: not a secret, and trusted by nothing
 * but this exchange's own client, whose SSLContext holds only that certificate. The relay's clients
 * use the default SSLContext and never see it. No upstream is contacted, no configuration read.
 */
final class PrewarmTls {
    private static final char[] PASSWORD = "prewarm".toCharArray(); // of a throwaway loopback identity
    private static final Duration BOUND = Duration.ofSeconds(5);

    private PrewarmTls() {}

    static void exchange(String sampleBody, String sampleEvent) throws Exception {
        KeyStore identity = KeyStore.getInstance("PKCS12");
        try (InputStream in = PrewarmTls.class.getResourceAsStream("prewarm-loopback.p12")) {
            if (in == null) {
                return;
            }
            identity.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(identity, PASSWORD);
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);

        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("prewarm", identity.getCertificate("prewarm"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);

        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            server.setSoTimeout((int) BOUND.toMillis());
            URI uri = URI.create("https://127.0.0.1:" + server.getLocalPort() + "/v1/chat/completions");
            // As JdkHttp builds the relay's client: HTTP/1.1.
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(clientContext)
                    .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(BOUND).build()) {
                CompletableFuture<HttpResponse<InputStream>> response = Prewarm.sendSample(client, uri, sampleBody);
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    Prewarm.answerAndRead(socket, sampleEvent, response);
                }
            }
        }
    }
}

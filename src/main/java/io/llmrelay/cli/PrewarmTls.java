package io.llmrelay.cli;

import io.llmrelay.upstream.sse.SseReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(BOUND)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(sampleBody.getBytes(StandardCharsets.UTF_8)))
                        .setHeader("Content-Type", "application/json")
                        .setHeader("Accept", "text/event-stream")
                        .build();
                CompletableFuture<HttpResponse<InputStream>> response =
                        client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
                try (SSLSocket socket = (SSLSocket) server.accept()) {
                    socket.setSoTimeout((int) BOUND.toMillis());
                    Prewarm.readRequest(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    byte[] event = ("data: " + sampleEvent + "\n\n").getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n"
                            + "connection: close\r\n\r\n" + Integer.toHexString(event.length) + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(event);
                    out.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    try (InputStream body = response.get(BOUND.toMillis(), TimeUnit.MILLISECONDS).body()) {
                        SseReader reader = new SseReader(body);
                        while (reader.next() != null) {
                            // read to the end, as the relay does
                        }
                    }
                }
            }
        }
    }
}

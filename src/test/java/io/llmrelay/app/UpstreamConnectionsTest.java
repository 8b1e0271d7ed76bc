package io.llmrelay.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.aws.AwsClients;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.testing.KeepAliveUpstream;
import io.llmrelay.testing.KeepAliveUpstream.Idle;
import io.llmrelay.testing.LoopbackTls;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The function's upstream connections across invocations, through {@link LambdaHandler} (the set-up
 * Lambda builds: {@code RenewableUpstreams} over {@code UpstreamHttp.standard()}) against a real keep-alive
 * server on 127.0.0.1 that counts its connections: one connection serves every invocation of an
 * environment; a SnapStart restore drops it and makes a new one; and a pooled connection the upstream
 * closed or reset costs the caller nothing: the request goes again, once, on a new connection, before
 * the first byte. The route has {@code retries: 0}, so none of this is the relay's own retrying.
 *
 * <p>Every case runs over both of the relay's HTTP clients: plain http goes through its own
 * HTTP/1.1 client (Http1Connections), https through the JDK's HttpClient, which pools, retries a
 * stale connection and is renewed on a restore by its own rules. Over https the relay trusts the
 * upstream's self-signed certificate as its JVM's default trust ({@link LoopbackTls#trustedByDefault()}).
 * The translating providers' streams (Anthropic, Bedrock) keep their connection too, once their
 * last event is in.
 */
@Timeout(30)
class UpstreamConnectionsTest {
    private static final String CALLER_KEY = "rk-connections-test-caller";

    /** Which of the relay's clients the upstream's scheme sends the requests through. */
    enum Scheme { HTTP, HTTPS }

    /** The route's type, and so the format the upstream answers in (KeepAliveUpstream answers each by its path). */
    enum Provider {
        OPENAI("\"apiKey\": \"env:CONNECTIONS_TEST_KEY\""),
        ANTHROPIC("\"type\": \"anthropic\", \"apiKey\": \"env:CONNECTIONS_TEST_KEY\""),
        BEDROCK("\"type\": \"bedrock\", \"region\": \"eu-west-1\"");

        final String route;

        Provider(String route) {
            this.route = route;
        }
    }

    @TempDir
    static Path dir;
    private static LoopbackTls tls;

    private KeepAliveUpstream upstream;
    private AwsClients aws;
    private AutoCloseable defaultTrust;

    @BeforeAll
    static void identity() throws Exception {
        tls = LoopbackTls.create(dir);
    }

    @AfterEach
    void stop() throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        if (aws != null) {
            aws.close();
        }
        if (defaultTrust != null) {
            defaultTrust.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scheme.class)
    void invocationsOfOneEnvironmentShareOneUpstreamConnection(Scheme scheme) throws Exception {
        LambdaHandler handler = handler(scheme, Idle.KEEP, "on-demand");
        for (int i = 0; i < 4; i++) {
            assertAnswered(invoke(handler));
        }
        assertEquals(4, upstream.requests());
        assertEquals(1, upstream.connections(), "every invocation reused the pooled connection");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scheme.class)
    void aRestoreDropsThePooledConnectionAndTheNextRequestMakesANewOne(Scheme scheme) throws Exception {
        LambdaHandler handler = handler(scheme, Idle.KEEP, "snap-start");
        assertAnswered(invoke(handler));
        assertAnswered(invoke(handler));
        assertEquals(1, upstream.connections());

        handler.afterRestore();
        assertTrue(upstream.clientClosed(0, 5_000), "the connection from before the snapshot is closed");
        assertAnswered(invoke(handler));
        assertAnswered(invoke(handler));
        assertEquals(2, upstream.connections(), "one new connection after the restore, then reused");
        assertEquals(4, upstream.requests());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scheme.class)
    void aPooledConnectionTheUpstreamClosedWhileIdleCostsNoError(Scheme scheme) throws Exception {
        LambdaHandler handler = handler(scheme, Idle.CLOSE_AFTER_ANSWER, "on-demand");
        assertAnswered(invoke(handler));
        Thread.sleep(50); // the upstream's close is in before the next invocation, as after an idle timeout
        assertAnswered(invoke(handler));
        assertAnswered(invoke(handler));
        assertEquals(3, upstream.requests(), "no request was lost or sent twice");
        assertEquals(3, upstream.connections());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Scheme.class)
    void aPooledConnectionResetWhileTheRequestIsSentIsRetriedOnceOnANewConnection(Scheme scheme) throws Exception {
        LambdaHandler handler = handler(scheme, Idle.RESET_SECOND_REQUEST, "on-demand");
        assertAnswered(invoke(handler));
        assertAnswered(invoke(handler)); // its first try is reset on the pooled connection
        assertEquals(1, upstream.resets());
        assertEquals(3, upstream.requests(), "the reset request was sent again");
        assertEquals(2, upstream.connections(), "again on a new connection");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"HTTP, ANTHROPIC", "HTTPS, ANTHROPIC", "HTTP, BEDROCK", "HTTPS, BEDROCK"})
    void aProviderStreamEndedByItsLastEventLeavesItsConnectionToTheNextInvocation(Scheme scheme, Provider provider)
            throws Exception {
        LambdaHandler handler = handler(scheme, provider, Idle.KEEP, "on-demand");
        assertAnswered(invoke(handler));
        assertAnswered(invoke(handler));
        assertEquals(2, upstream.requests());
        assertEquals(1, upstream.connections(), "the second invocation reused the first one's connection");
    }

    private LambdaHandler handler(Scheme scheme, Idle idle, String initialization) throws Exception {
        return handler(scheme, Provider.OPENAI, idle, initialization);
    }

    private LambdaHandler handler(Scheme scheme, Provider provider, Idle idle, String initialization) throws Exception {
        if (scheme == Scheme.HTTPS) {
            upstream = KeepAliveUpstream.startTls(idle, tls.server());
            defaultTrust = tls.trustedByDefault(); // before the handler builds its clients
        } else {
            upstream = KeepAliveUpstream.start(idle);
        }
        aws = AwsClients.standard();
        String config = """
                {"callers": [{"name": "test", "keySha256": "%s"}],
                 "routes": [{"name": "up", "baseUrl": "%s", %s, "models": ["gpt-test"], "retries": 0}]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY), upstream.baseUrl(), provider.route);
        // Bedrock's requests are signed with these (made-up) credentials; nothing checks the signature.
        return new LambdaHandler(Map.of("RELAY_CONFIG", config, "CONNECTIONS_TEST_KEY", "sk-connections-test",
                "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", "connections-test-secret",
                "AWS_LAMBDA_INITIALIZATION_TYPE", initialization, "RELAY_LOG_LEVEL", "off", "RELAY_METRICS", "off"), aws);
    }

    private static String invoke(LambdaHandler handler) throws Exception {
        String body = "{\"model\":\"gpt-test\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
        String event = """
                {"version":"2.0","routeKey":"$default","rawPath":"/v1/chat/completions","rawQueryString":"",
                 "headers":{"authorization":"Bearer %s","content-type":"application/json"},
                 "requestContext":{"requestId":"r","http":{"method":"POST","path":"/v1/chat/completions",
                  "protocol":"HTTP/1.1","sourceIp":"127.0.0.1","userAgent":"test"}},
                 "body":%s,"isBase64Encoded":false}
                """.formatted(CALLER_KEY, Json.write(body));
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), answer,
                new PrimingContext("connections-test"));
        return answer.toString(StandardCharsets.UTF_8);
    }

    private static void assertAnswered(String answer) {
        assertTrue(answer.contains("\"statusCode\":200") && answer.contains("\"content\":\"hi\"")
                && answer.endsWith("data: [DONE]\n\n"), "a whole streamed answer: " + answer);
    }
}

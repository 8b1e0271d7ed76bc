package io.llmrelay.runtime;

import static io.llmrelay.runtime.RawRuntimeApi.After.CLOSE;
import static io.llmrelay.runtime.RawRuntimeApi.After.KEEP;
import static io.llmrelay.runtime.RawRuntimeApi.invocation;
import static io.llmrelay.runtime.RawRuntimeApi.invocationHead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Which replies to {@code next} the client takes and which it refuses (the rules are on
 * {@code io.llmrelay.runtime.http.ReplyReader}): each refused one is an error naming the fault,
 * and the client drops the connection, so its next request goes out on a new one even though the
 * fake kept the old one open.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplyFramingTest {
    private static final String HEAD = invocationHead("r1");

    private RawRuntimeApi api;

    @BeforeEach
    void start() throws Exception {
        api = RawRuntimeApi.start();
    }

    @AfterEach
    void close() throws Exception {
        api.close();
    }

    /** Reply text, then the fragment the error message must contain. */
    private static Map<String, String> refused() {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n", "malformed status line: HTTP/1.1 2OO OK");
        cases.put("HTTP/2 200 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line: HTTP/2 200 OK");
        cases.put("HTTP/1.1 600 Beyond\r\nContent-Length: 0\r\n\r\n", "malformed status line");
        cases.put("HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n", "malformed status line");
        cases.put("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n", "malformed status line");
        cases.put("hello\r\n\r\n", "malformed status line: hello");
        cases.put(HEAD + "NoColonHere\r\nContent-Length: 2\r\n\r\n{}", "malformed header line: NoColonHere");
        cases.put(HEAD + "Content-Length : 2\r\n\r\n{}", "malformed header line: Content-Length : 2");
        cases.put(HEAD + "X-A: 1\r\n  folded\r\nContent-Length: 2\r\n\r\n{}", "malformed header line:   folded");
        cases.put(HEAD + "X-A: 1\r2\r\nContent-Length: 2\r\n\r\n{}", "bare CR");
        cases.put(HEAD + "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                "both Transfer-Encoding and Content-Length");
        cases.put(HEAD + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                "unsupported Transfer-Encoding: gzip, chunked");
        cases.put(HEAD + "Content-Length: 2x\r\n\r\n{}", "malformed Content-Length: 2x");
        cases.put(HEAD + "Content-Length: -2\r\n\r\n{}", "malformed Content-Length: -2");
        cases.put(HEAD + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", "malformed Content-Length: 2, 3");
        cases.put(HEAD + "Content-Length: 99999999999\r\n\r\n{}", "announced a body over 33554432 bytes");
        cases.put(HEAD + "\r\n{}", "without Content-Length or chunked framing");
        cases.put(HEAD + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", "malformed chunk size: zz");
        cases.put(HEAD + "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n", "malformed chunk size: -2");
        cases.put(HEAD + "Transfer-Encoding: chunked\r\n\r\n100000000\r\n{}\r\n0\r\n\r\n", "malformed chunk size");
        cases.put(HEAD + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}X\r\n0\r\n\r\n", "chunk without its closing CRLF");
        cases.put("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "switched protocols (101)");
        cases.put(HEAD + "X-Big: " + "a".repeat(70_000) + "\r\nContent-Length: 2\r\n\r\n{}", "longer than 65536 bytes");
        return cases;
    }

    @Test
    void aMalformedReplyIsRefusedWithItsReasonAndTheConnectionIsDropped() throws Exception {
        for (Map.Entry<String, String> c : refused().entrySet()) {
            int before = api.connections();
            api.then(c.getKey(), KEEP).then(invocation("r2", "{\"after\":true}"), KEEP);
            try (RuntimeApiClient client = new RuntimeApiClient(api.address(), "test")) {
                IOException e = assertThrows(IOException.class, client::next, c.getKey());
                assertTrue(e.getMessage().contains(c.getValue()), c.getValue() + " <- " + e.getMessage());
                Invocation after = client.next();
                assertEquals("{\"after\":true}", new String(after.event(), StandardCharsets.UTF_8));
            }
            assertEquals(before + 1, api.request().connection(), c.getValue());
            assertEquals(before + 2, api.request().connection(), "a new connection after: " + c.getValue());
        }
    }

    /** Replies that are odd but valid HTTP/1.1, and what the client makes of them. */
    @Test
    void validButUnusualRepliesAreRead() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("no reason phrase", "HTTP/1.1 200\r\n" + HEAD.substring(HEAD.indexOf("\r\n") + 2)
                + "Content-Length: 2\r\n\r\n{}");
        cases.put("empty reason phrase", HEAD.replace("200 OK", "200 ") + "Content-Length: 2\r\n\r\n{}");
        cases.put("bare LF line ends", (HEAD + "Content-Length: 2\n\n").replace("\r\n", "\n") + "{}");
        cases.put("chunk extensions, trailers", HEAD + "Transfer-Encoding: chunked\r\n\r\n1;ext=1\r\n{\r\n"
                + "001 \r\n}\r\n0\r\nX-Trailer: t\r\n\r\n");
        cases.put("interim 100 and 103 first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n"
                + HEAD + "Content-Length: 2\r\n\r\n{}");
        cases.put("a repeated equal Content-Length", HEAD + "Content-Length: 2, 2\r\n\r\n{}");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            api.then(c.getValue(), KEEP).then(invocation("r2", "{}"), KEEP);
            try (RuntimeApiClient client = new RuntimeApiClient(api.address(), "test")) {
                Invocation first = client.next();
                assertEquals("r1", first.requestId(), c.getKey());
                assertEquals("{}", new String(first.event(), StandardCharsets.UTF_8), c.getKey());
                assertEquals("r2", client.next().requestId(), c.getKey());
            }
            RawRuntimeApi.Request one = api.request();
            assertEquals(one.connection(), api.request().connection(), "kept alive after: " + c.getKey());
        }
    }

    @Test
    void aReplyThatSaysItClosesIsNotReused() throws Exception {
        api.then(HEAD + "Connection: close\r\nContent-Length: 2\r\n\r\n{}", CLOSE)
                .then(HEAD.replace("HTTP/1.1", "HTTP/1.0") + "Content-Length: 2\r\n\r\n{}", KEEP)
                .then(invocation("r3", "{}"), KEEP);
        try (RuntimeApiClient client = new RuntimeApiClient(api.address(), "test")) {
            client.next();
            client.next();
            client.next();
        }
        assertEquals(1, api.request().connection());
        assertEquals(2, api.request().connection());
        assertEquals(3, api.request().connection(), "an HTTP/1.0 reply without keep-alive ends its connection");
    }

    @Test
    void aTwoHundredWithoutARequestIdIsNotAnInvocation() throws Exception {
        api.then("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", KEEP)
                .then(HEAD.replace("r1", "../../evil") + "Content-Length: 2\r\n\r\n{}", KEEP);
        try (RuntimeApiClient client = new RuntimeApiClient(api.address(), "test")) {
            assertTrue(assertThrows(IOException.class, client::next).getMessage().contains("without a usable"));
            assertTrue(assertThrows(IOException.class, client::next).getMessage().contains("without a usable"));
        }
    }
}

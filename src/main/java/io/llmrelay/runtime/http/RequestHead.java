package io.llmrelay.runtime.http;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The head of an HTTP/1.1 request (RFC 9112 section 3): request line, {@code Host},
 * {@code User-Agent}, the given fields, the empty line. A value never carries a line break (it
 * would end its field early and start one the caller did not write).
 */
final class RequestHead {
    private RequestHead() {}

    static byte[] encode(String method, String target, String host, String userAgent, Map<String, String> fields) {
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        field(head, "Host", host);
        field(head, "User-Agent", userAgent);
        fields.forEach((name, value) -> field(head, name, value));
        return head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder head, String name, String value) {
        head.append(name).append(": ").append(HttpSyntax.fieldValue(value)).append("\r\n");
    }
}

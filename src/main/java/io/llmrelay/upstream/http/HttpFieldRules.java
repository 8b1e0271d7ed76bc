package io.llmrelay.upstream.http;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the JDK's HTTP client ({@code java.net.http}) accepts in a request header, so that a
 * configured header or a resolved key is refused here, with a message that never quotes it,
 * instead of by {@code HttpRequest.Builder}, whose {@code IllegalArgumentException} quotes the
 * whole value ({@code invalid header value: "Bearer sk-..."}).
 *
 * <p>The rules are those of {@code jdk.internal.net.http.common.Utils} (JDK 21 to 25), applied
 * by {@code HttpRequestBuilderImpl.checkNameAndValue}:
 * <ul>
 *   <li>{@code isValidName}: a non-empty RFC 7230 token (tchar: letters, digits and
 *       {@code !#$%&'*+-.^_`|~});
 *   <li>{@code ALLOWED_HEADERS}: not one of {@code connection}, {@code content-length},
 *       {@code expect}, {@code host}, {@code upgrade}, any case (the JDK sets them itself). The
 *       JDK lets the {@code jdk.httpclient.allowRestrictedHeaders} net property lift this; the
 *       relay does not, so a config valid here is valid under any JDK setting;
 *   <li>{@code isValidValue}: every character is SP, HTAB or in U+0021..U+00FF except DEL
 *       (U+007F). No control character, no line break (no obs-fold), nothing above U+00FF:
 *       the invisible characters of pasted keys (U+200B, U+FEFF) fail the last rule.
 * </ul>
 */
public final class HttpFieldRules {
    /** The JDK's {@code DISALLOWED_HEADERS_SET}, lower-case. */
    public static final Set<String> RESTRICTED_NAMES = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HttpFieldRules() {}

    /** Whether the JDK accepts {@code name} as a header name it lets a request set. */
    public static boolean isSendableName(String name) {
        return isToken(name) && !RESTRICTED_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /** A non-empty RFC 7230 token: what {@code isValidName} accepts. */
    public static boolean isToken(String name) {
        if (name == null || name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || TCHAR_SYMBOLS.indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /**
     * Why the JDK would refuse {@code value} as a header value, in words that name the first
     * offending character by its code point only (a value may be a key: it is never quoted);
     * empty when it is accepted.
     */
    public static Optional<String> valueProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean allowed = c == ' ' || c == '\t' || (c >= 0x21 && c <= 0xFF && c != 0x7F);
            if (!allowed) {
                return Optional.of("contains a character not allowed in an HTTP header value ("
                        + codePoint(value, i) + ")");
            }
        }
        return Optional.empty();
    }

    /** {@code U+200B}; a surrogate pair is named by its code point, not by its halves. */
    private static String codePoint(String text, int index) {
        return String.format(Locale.ROOT, "U+%04X", text.codePointAt(index));
    }
}

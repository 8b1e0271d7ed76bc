package io.llmrelay.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A system prompt with variables, parsed once at start-up: literal text and {@code {{path}}}
 * placeholders. {@code {{metadata.customerName}}} reads a field of the caller's request body (dot
 * separated; a number indexes an array), {@code {{header.x-conversation-id}}} a request header;
 * {@code {{path|text}}} gives the text to use when the value is missing. Whitespace around the
 * path and the default is ignored. Rendering is one pass over these parts, so a value is only ever
 * text: a value that itself holds {@code {{...}}} is inserted as it is, never expanded.
 *
 * <p>A literal {@code }}} is ordinary text (JSON examples in prompts have plenty); a literal
 * {@code {{} cannot be written, since it always starts a variable.
 */
public record PromptTemplate(List<Part> parts) {

    /** One piece of the prompt. */
    public sealed interface Part {}

    /** Text as written in the config. */
    public record Text(String text) implements Part {}

    /**
     * A value from the request.
     *
     * @param header   true: {@code path} holds one element, a lower-case header name
     * @param path     the body field's path, or the header's name
     * @param fallback the text when the value is missing or null; empty when none was given
     */
    public record Variable(boolean header, List<String> path, String fallback) implements Part {
        public Variable {
            path = List.copyOf(path);
        }
    }

    /** HTTP field names are tokens (RFC 9110 section 5.6.2). */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String HEADER_PREFIX = "header.";
    /** Headers that carry the caller's credentials: a prompt that quoted them would hand a key to the model. */
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization", "x-api-key",
            "cookie", "x-amz-security-token");

    public PromptTemplate {
        parts = List.copyOf(parts);
    }

    /** Thrown with what is wrong, in words that quote no more of the text than the variable's own path. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    public static PromptTemplate parse(String text) throws Invalid {
        List<Part> parts = new ArrayList<>();
        int at = 0;
        while (at < text.length()) {
            int open = text.indexOf("{{", at);
            if (open < 0) {
                parts.add(new Text(text.substring(at)));
                break;
            }
            if (open > at) {
                parts.add(new Text(text.substring(at, open)));
            }
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new Invalid("'{{' at character " + open + " is never closed with '}}'");
            }
            String inside = text.substring(open + 2, close);
            if (inside.contains("{{")) {
                throw new Invalid("'{{' at character " + open + " is followed by another '{{' before its '}}'");
            }
            parts.add(variable(inside, open));
            at = close + 2;
        }
        return new PromptTemplate(parts);
    }

    /** {@code inside} is what stands between the braces of the variable at character {@code at}. */
    private static Variable variable(String inside, int at) throws Invalid {
        int bar = inside.indexOf('|');
        String path = (bar < 0 ? inside : inside.substring(0, bar)).strip();
        String fallback = bar < 0 ? "" : inside.substring(bar + 1).strip();
        if (path.isEmpty()) {
            throw new Invalid("the variable at character " + at + " names nothing: write {{field.path}} or {{header.name}}");
        }
        if (path.startsWith(HEADER_PREFIX)) {
            return new Variable(true, List.of(headerName(path.substring(HEADER_PREFIX.length()), at)), fallback);
        }
        return new Variable(false, fieldPath(path, at), fallback);
    }

    /** The header's name in lower case: a token, and not one that carries credentials. */
    private static String headerName(String name, int at) throws Invalid {
        if (!TOKEN.matcher(name).matches()) {
            throw new Invalid("the variable at character " + at + " needs a header name after 'header.'");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (CREDENTIAL_HEADERS.contains(lower)) {
            throw new Invalid("the variable at character " + at + " reads header '" + lower
                    + "', which carries the caller's credentials: it may not go into a prompt");
        }
        return lower;
    }

    /** The body field's path: names joined by '.', none empty, none with spaces or braces. */
    private static List<String> fieldPath(String path, int at) throws Invalid {
        List<String> segments = List.of(path.split("\\.", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.chars().anyMatch(c -> Character.isWhitespace(c) || c == '{' || c == '}')) {
                throw new Invalid("the variable at character " + at + " is not a field path (names joined by '.',"
                        + " without spaces or braces)");
            }
        }
        return segments;
    }
}

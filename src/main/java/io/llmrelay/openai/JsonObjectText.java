package io.llmrelay.openai;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON object as its tree (for the fields the relay reads) and as its text, cut into top-level
 * members, so that a rewritten copy ({@link #rewrite}) is made of the caller's own characters.
 *
 * <p>Why text and not a re-serialised tree: a tree round trip changes what callers sent. With
 * Jackson's defaults {@code 1e309} becomes the string {@code "Infinity"}, {@code 0.1000000000000000000001}
 * loses digits and {@code -0} or {@code 1E5} change form; with exact big decimals the values
 * survive but not their form ({@code 1E+309}, no negative zero), and every request pays for a
 * deep copy and a serialisation of up to a megabyte. Copying member text is exact by construction
 * (numbers, escapes, key order, unknown fields, nested duplicates) and costs one array copy. Only
 * the relay's own edits differ: dropped members are left out, {@code model} is written anew,
 * {@code stream_options} gets {@code "include_usage":true} when the relay asks for usage (its other
 * members copied as they are), and a top-level name given twice is kept once, its last occurrence,
 * which is the value the relay read (and what most JSON parsers upstream would read).
 */
final class JsonObjectText {
    /**
     * One top-level member: its (decoded) name and its text, from the name's opening quote
     * ({@code start}) over its value's first character ({@code valueStart}) to the value's end.
     */
    private record Member(String name, int start, int valueStart, int end) {}

    static final String STREAM_OPTIONS = "stream_options";
    static final String INCLUDE_USAGE = "include_usage";

    private final String text;
    private final ObjectNode tree;
    private final List<Member> members;

    private JsonObjectText(String text, ObjectNode tree, List<Member> members) {
        this.text = text;
        this.tree = tree;
        this.members = members;
    }

    ObjectNode tree() {
        return tree;
    }

    /**
     * Parses {@code text} under the mapper's limits (nesting, number and name lengths).
     *
     * @return null when the text is JSON but not an object
     * @throws IOException when it is not one JSON value (trailing content included)
     */
    static JsonObjectText parse(String text) throws IOException {
        try (JsonParser parser = Json.MAPPER.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first != null) {
                    Json.MAPPER.readTree(parser); // still parsed whole: broken JSON says so, not "not an object"
                    requireEnd(parser);
                }
                return null;
            }
            ObjectNode tree = Json.MAPPER.createObjectNode();
            Map<String, Member> lastByName = new LinkedHashMap<>();
            String name = null;
            int start = -1;
            int valueStart = -1;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                int at = offset(parser);
                if (name != null) {
                    keepLast(lastByName, new Member(name, start, valueStart, valueEnd(text, at)));
                }
                name = parser.currentName();
                start = at;
                parser.nextToken();
                valueStart = offset(parser);
                JsonNode value = Json.MAPPER.readTree(parser);
                tree.set(name, value == null ? NullNode.getInstance() : value);
            }
            if (name != null) { // the loop ended at END_OBJECT: anything else the parser refused already
                keepLast(lastByName, new Member(name, start, valueStart, valueEnd(text, offset(parser))));
            }
            requireEnd(parser);
            List<Member> members = new ArrayList<>(lastByName.values());
            members.sort((a, b) -> Integer.compare(a.start(), b.start()));
            return new JsonObjectText(text, tree, List.copyOf(members));
        }
    }

    /**
     * The object's text with the members named in {@code drop} left out and, when {@code model}
     * is not null, the {@code model} member replaced by that string (added last if absent).
     * Members are joined by a bare comma; everything inside a member is the caller's text.
     *
     * @param askUsage also set {@code stream_options.include_usage} to {@code true} (unless
     *     {@code stream_options} is dropped): merged into the caller's {@code stream_options} object,
     *     whose other members keep their text, or added last when there is none (or it is null)
     */
    byte[] rewrite(String model, Collection<String> drop, boolean askUsage) {
        boolean usage = askUsage && (drop == null || !drop.contains(STREAM_OPTIONS));
        StringBuilder out = new StringBuilder(text.length() + 64).append('{');
        boolean modelWritten = false;
        boolean usageWritten = false;
        for (Member member : members) {
            if (drop != null && drop.contains(member.name())) {
                continue;
            }
            if (out.length() > 1) {
                out.append(',');
            }
            if (model != null && member.name().equals("model")) {
                out.append("\"model\":").append(Json.write(model));
                modelWritten = true;
            } else if (usage && member.name().equals(STREAM_OPTIONS)) {
                out.append("\"" + STREAM_OPTIONS + "\":");
                withIncludeUsage(member, out);
                usageWritten = true;
            } else {
                out.append(text, member.start(), member.end());
            }
        }
        if (model != null && !modelWritten) {
            out.append(out.length() > 1 ? "," : "").append("\"model\":").append(Json.write(model));
        }
        if (usage && !usageWritten) {
            out.append(out.length() > 1 ? "," : "").append("\"" + STREAM_OPTIONS + "\":{\"" + INCLUDE_USAGE + "\":true}");
        }
        return out.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The text of member {@code name}'s value as the caller wrote it, or null when there is no such member. */
    String valueText(String name) {
        for (Member member : members) {
            if (member.name().equals(name)) {
                return text.substring(member.valueStart(), member.end());
            }
        }
        return null;
    }

    /**
     * A copy whose members named in {@code values} have that JSON text as their value (added at
     * the end, in the map's order, when absent); every other member is the caller's text as it
     * was. The copy is parsed anew, so its tree and text agree.
     *
     * @throws IOException only if a value is not JSON, which the relay's own edits never are
     */
    JsonObjectText withValues(Map<String, String> values) throws IOException {
        StringBuilder out = new StringBuilder(text.length() + 256).append('{');
        List<String> written = new ArrayList<>();
        for (Member member : members) {
            if (out.length() > 1) {
                out.append(',');
            }
            String value = values.get(member.name());
            if (value == null) {
                out.append(text, member.start(), member.end());
            } else {
                out.append(Json.write(member.name())).append(':').append(value);
                written.add(member.name());
            }
        }
        for (Map.Entry<String, String> added : values.entrySet()) {
            if (!written.contains(added.getKey())) {
                out.append(out.length() > 1 ? "," : "").append(Json.write(added.getKey())).append(':').append(added.getValue());
            }
        }
        return parse(out.append('}').toString());
    }

    /**
     * The {@code stream_options} object with {@code include_usage: true}: the caller's members
     * but {@code include_usage} (in any escape form, any number of times), each as the caller wrote
     * it, then ours. A value that is not an object (null: the request was checked) becomes ours alone.
     */
    private void withIncludeUsage(Member member, StringBuilder out) {
        JsonObjectText options = null;
        if (tree.get(STREAM_OPTIONS).isObject()) {
            try {
                options = parse(text.substring(member.valueStart(), member.end()));
            } catch (IOException e) {
                throw new IllegalStateException("a member that parsed as an object did not parse again", e);
            }
        }
        out.append('{');
        if (options != null) {
            for (Member option : options.members) {
                if (!option.name().equals(INCLUDE_USAGE)) {
                    out.append(options.text, option.start(), option.end()).append(',');
                }
            }
        }
        out.append("\"" + INCLUDE_USAGE + "\":true}");
    }

    private static void keepLast(Map<String, Member> lastByName, Member member) {
        lastByName.remove(member.name());
        lastByName.put(member.name(), member);
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getCharOffset();
    }

    /**
     * Where the value before {@code next} (the next name's opening quote, or the closing brace)
     * ends: back over whitespace, at most one comma, whitespace again. A value never ends in a
     * comma or whitespace of its own (strings end with their quote), and comments are off, so
     * this finds exactly the value's last character.
     */
    static int valueEnd(String text, int next) {
        int i = skipWhitespaceBack(text, next);
        if (i > 0 && text.charAt(i - 1) == ',') {
            i = skipWhitespaceBack(text, i - 1);
        }
        return i;
    }

    private static int skipWhitespaceBack(String text, int i) {
        while (i > 0 && isJsonWhitespace(text.charAt(i - 1))) {
            i--;
        }
        return i;
    }

    private static boolean isJsonWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static void requireEnd(JsonParser parser) throws IOException {
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "trailing content after the JSON value");
        }
    }
}

package io.llmrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of one JSON object's fields. A wrong field is recorded in {@link Problems} and read as
 * absent, so checking goes on and every problem is reported. Values are never quoted in problems:
 * the field might hold a key someone pasted in the wrong place.
 */
final class Fields {
    /** Ignored anywhere, so that example configs can explain themselves (JSON has no comments). */
    static final String COMMENT = "$comment";

    private final JsonNode node;
    private final String path;
    private final Problems problems;

    Fields(JsonNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    Problems problems() {
        return problems;
    }

    String path(String field) {
        return Problems.field(path, field);
    }

    boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    /** Unknown fields are errors, not ignored: a typo like {@code baseURL} must not silently fall back. */
    void rejectUnknown(Set<String> known) {
        node.fieldNames().forEachRemaining(name -> {
            if (known.contains(name) || COMMENT.equals(name)) {
                return;
            }
            String hint = known.stream()
                    .filter(k -> k.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                    .findFirst()
                    .map(k -> " (did you mean '" + k + "'?)")
                    .orElse(" (known fields: " + String.join(", ", known) + ")");
            problems.add(path(name), "unknown field" + hint);
        });
    }

    /** @return the string, or null when absent (a problem if required) or not a non-blank string */
    /**
     * The fields of one entry of a config list, checked against the names the entry may have;
     * null (with the problem recorded) when the entry is not an object at all.
     */
    static Fields ofEntry(JsonNode node, String path, Problems problems, Set<String> known, String notAnObject) {
        if (!node.isObject()) {
            problems.add(path, notAnObject);
            return null;
        }
        Fields fields = new Fields(node, path, problems);
        fields.rejectUnknown(known);
        return fields;
    }

    /** The required {@code name} of a caller or route, held to {@link Names#RULE}. */
    String name() {
        String name = string("name", true);
        if (name != null && !Names.isValid(name)) {
            problems.add(path("name"), Names.RULE);
        }
        return name;
    }

    String string(String field, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                problems.add(path(field), "is required");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(path(field), "must be a non-empty string");
            return null;
        }
        return value.asText();
    }

    boolean bool(String field, boolean fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            problems.add(path(field), "must be true or false");
            return fallback;
        }
        return value.asBoolean();
    }

    long wholeNumber(String field, long fallback, long min, long max, String unit) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()
                || value.asLong() < min || value.asLong() > max) {
            problems.add(path(field), "must be a whole number of " + unit + " from " + min + " to " + max);
            return fallback;
        }
        return value.asLong();
    }

    /** @return the object, or null when absent; a non-object is a problem ({@code what} says what it should hold) */
    JsonNode object(String field, String what) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            problems.add(path(field), "must be an object " + what);
            return null;
        }
        return value;
    }

    /**
     * The fields of the object {@code field}, checked against {@code known} (null: any name goes);
     * null when absent or not an object.
     */
    Fields nested(String field, Set<String> known, String what) {
        JsonNode value = object(field, what);
        if (value == null) {
            return null;
        }
        Fields nested = new Fields(value, path(field), problems);
        if (known != null) {
            nested.rejectUnknown(known);
        }
        return nested;
    }

    /** The object's own members in order, {@code $comment} left out. */
    Map<String, JsonNode> members() {
        Map<String, JsonNode> members = new LinkedHashMap<>();
        node.properties().forEach(entry -> {
            if (!COMMENT.equals(entry.getKey())) {
                members.put(entry.getKey(), entry.getValue());
            }
        });
        return members;
    }

    /** @return the array's elements, or null when absent; a non-array is a problem */
    JsonNode array(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray()) {
            problems.add(path(field), "must be an array");
            return null;
        }
        return value;
    }

    /** @return the strings in order (bad elements reported and skipped), or null when absent */
    List<String> strings(String field) {
        JsonNode array = array(field);
        if (array == null) {
            return null;
        }
        List<String> result = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode element = array.get(i);
            if (!element.isTextual() || element.asText().isBlank()) {
                problems.add(Problems.index(path(field), i), "must be a non-empty string");
            } else {
                result.add(element.asText());
            }
        }
        return result;
    }

    /** @return the object's string values in order, or null when absent */
    Map<String, String> stringMap(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            problems.add(path(field), "must be an object of string values");
            return null;
        }
        Map<String, String> result = new LinkedHashMap<>();
        value.properties().forEach(entry -> {
            if (entry.getValue().isTextual()) {
                result.put(entry.getKey(), entry.getValue().asText());
            } else {
                problems.add(path(field) + "[\"" + entry.getKey() + "\"]", "must be a string");
            }
        });
        return result;
    }
}

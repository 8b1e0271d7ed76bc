package io.llmrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks one entry of {@code callers}. */
final class CallerParser {
    private static final Set<String> KNOWN = new LinkedHashSet<>(List.of("name", "keySha256"));
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

    static final String HASH_RULE =
            "must be 64 lowercase hex characters (the SHA-256 of the key, see 'caller-key new')";

    private CallerParser() {}

    /** @return the caller, or null when it has problems (already recorded) */
    static CallerConfig parse(JsonNode node, String path, Problems problems) {
        int before = problems.count();
        Fields fields = Fields.ofEntry(node, path, problems, KNOWN, "must be an object with \"name\" and \"keySha256\"");
        if (fields == null) {
            return null;
        }
        String name = fields.name();
        String hash = fields.string("keySha256", true);
        if (hash != null && !SHA256_HEX.matcher(hash).matches()) {
            // The hint matters: pasting the key itself here is the likely mistake, and then the
            // value must not be echoed, nor accepted.
            boolean looksLikeKey = hash.startsWith("rk-") || hash.startsWith("sk-");
            problems.add(fields.path("keySha256"),
                    HASH_RULE + (looksLikeKey ? "; the value looks like a key itself, which must not be stored here" : ""));
        }
        return problems.count() == before ? new CallerConfig(name, hash) : null;
    }
}

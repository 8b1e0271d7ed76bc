package io.llmrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks one entry of {@code callers}. */
final class CallerParser {
    private static final Set<String> KNOWN = new LinkedHashSet<>(List.of("name", "keySha256", "routes"));
    /** A route name ({@link Names#RULE}) or a glob of one. */
    private static final Pattern ROUTE_PATTERN = Pattern.compile("[A-Za-z0-9._*-]{1,64}");
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
        List<String> routes = routes(fields);
        return problems.count() == before ? new CallerConfig(name, hash, routes) : null;
    }

    /** Names or globs; that each one matches a route is checked once every route is known (ConfigLoader). */
    private static List<String> routes(Fields fields) {
        List<String> given = fields.strings("routes");
        if (given == null) {
            return List.of();
        }
        if (given.isEmpty()) {
            fields.problems().add(fields.path("routes"), "must name at least one route (leave it out to allow every route)");
        }
        for (int i = 0; i < given.size(); i++) {
            if (!ROUTE_PATTERN.matcher(given.get(i)).matches()) {
                fields.problems().add(Problems.index(fields.path("routes"), i),
                        "must be a route name or a '*' glob of route names (letters, digits, '-', '_', '.', '*')");
            }
        }
        return List.copyOf(new LinkedHashSet<>(given));
    }
}

package io.llmrelay.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the relay config and checks all of it at start-up, so a broken config stops the relay
 * with a message naming each field at fault instead of failing on some later request.
 */
public final class ConfigLoader {
    /** Inline config JSON (convenient for a Lambda environment variable). */
    public static final String ENV_INLINE = "RELAY_CONFIG";
    /** Path of a config file (convenient for {@code serve} and container images). */
    public static final String ENV_FILE = "RELAY_CONFIG_FILE";

    private static final Set<String> KNOWN = new LinkedHashSet<>(
            List.of("callers", "routes", "keyCacheTtlSeconds", "maxRequestBytes", "deadlineMarginMs"));
    /** A Function URL refuses request payloads over 6 MB anyway. */
    private static final long MAX_REQUEST_BYTES_LIMIT = 6L * 1024 * 1024;
    private static final long MAX_KEY_CACHE_TTL_SECONDS = 86_400;
    /** Lambda's longest timeout: a larger margin would leave no time at all. */
    private static final long MAX_DEADLINE_MARGIN_MS = 900_000;

    // Duplicate keys are refused because a second "apiKey" silently overriding the first is a typo
    // nobody finds; trailing content because it means the file is not what its author thinks.
    private static final ObjectReader READER = Json.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigLoader() {}

    /**
     * The config named by {@code RELAY_CONFIG} or {@code RELAY_CONFIG_FILE}; empty when neither is set
     * (the caller decides what that means, e.g. the demo config for {@code serve}).
     */
    public static Optional<RelayConfig> fromEnvironment(Map<String, String> env) {
        String inline = env.get(ENV_INLINE);
        String file = env.get(ENV_FILE);
        boolean hasInline = inline != null && !inline.isBlank();
        boolean hasFile = file != null && !file.isBlank();
        if (hasInline && hasFile) {
            throw new ConfigException(ENV_INLINE + " and " + ENV_FILE,
                    "both are set; set only one, so it is clear which config is in force");
        }
        if (hasInline) {
            return Optional.of(parse(inline, ENV_INLINE));
        }
        if (hasFile) {
            return Optional.of(fromFile(Path.of(file.strip()), ENV_FILE + "=" + file.strip()));
        }
        return Optional.empty();
    }

    public static RelayConfig fromFile(Path path) {
        return fromFile(path, path.toString());
    }

    private static RelayConfig fromFile(Path path, String source) {
        String json;
        try {
            json = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(source, "cannot read the file (" + e.getClass().getSimpleName() + ")");
        }
        return parse(json, source);
    }

    /** The offline demo config: see {@link RelayConfig#demo()}. */
    public static RelayConfig demo() {
        return RelayConfig.demo();
    }

    /**
     * Parses and validates a config document.
     *
     * @param source where the JSON came from, for error messages (e.g. {@code RELAY_CONFIG} or a path)
     * @throws ConfigException listing every problem found
     */
    public static RelayConfig parse(String json, String source) {
        JsonNode root = readTree(json, source);
        if (root == null || root.isMissingNode()) {
            throw new ConfigException(source, "is empty; it must be a JSON object with \"routes\"");
        }
        if (!root.isObject()) {
            throw new ConfigException(source, "must be a JSON object with \"routes\"");
        }
        Problems problems = new Problems();
        Fields fields = new Fields(root, "", problems);
        fields.rejectUnknown(KNOWN);

        Map<String, Integer> callerIndexes = new HashMap<>();
        List<CallerConfig> callers = callers(fields.array("callers"), problems, callerIndexes);
        List<RouteConfig> routes = routes(fields, problems);
        ConfigReferences.checkCallerRoutes(callers, callerIndexes, routes, problems);
        long ttl = fields.wholeNumber("keyCacheTtlSeconds", RelayConfig.DEFAULT_KEY_CACHE_TTL_SECONDS,
                0, MAX_KEY_CACHE_TTL_SECONDS, "seconds");
        long maxBytes = fields.wholeNumber("maxRequestBytes", RelayConfig.DEFAULT_MAX_REQUEST_BYTES,
                1, MAX_REQUEST_BYTES_LIMIT, "bytes");
        long deadlineMargin = fields.wholeNumber("deadlineMarginMs", RelayConfig.DEFAULT_DEADLINE_MARGIN_MS,
                0, MAX_DEADLINE_MARGIN_MS, "milliseconds");

        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems.list());
        }
        return new RelayConfig(callers, routes, ttl, maxBytes, deadlineMargin);
    }

    private static JsonNode readTree(String json, String source) {
        try {
            return READER.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            // Only the location is reported: Jackson's own message quotes the offending token,
            // which could be an unquoted key.
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigException(source, describe(e.getOriginalMessage()) + where);
        }
    }

    /** Jackson's duplicate-field message names only a field, so that one is safe to pass on. */
    private static String describe(String jacksonMessage) {
        String prefix = "Duplicate field '";
        if (jacksonMessage != null && jacksonMessage.startsWith(prefix)) {
            int end = jacksonMessage.indexOf('\'', prefix.length());
            if (end > prefix.length()) {
                return "field '" + jacksonMessage.substring(prefix.length(), end) + "' appears twice in one object";
            }
        }
        return "is not valid JSON";
    }

    /** @param names filled with each accepted caller's index in {@code callers} */
    private static List<CallerConfig> callers(JsonNode array, Problems problems, Map<String, Integer> names) {
        List<CallerConfig> callers = new ArrayList<>();
        if (array == null) {
            return callers;
        }
        Map<String, Integer> hashes = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            String path = Problems.index("callers", i);
            CallerConfig caller = CallerParser.parse(array.get(i), path, problems);
            if (caller == null) {
                continue;
            }
            Integer sameName = names.putIfAbsent(caller.name(), i);
            Integer sameKey = hashes.putIfAbsent(caller.keySha256(), i);
            if (sameName != null) {
                problems.add(path + ".name", "duplicate caller name '" + caller.name() + "' (also callers[" + sameName + "])");
            } else if (sameKey != null) {
                // Two callers with one key cannot be told apart, so logs would name the wrong one.
                problems.add(path + ".keySha256", "same key as callers[" + sameKey + "]; give each caller its own key");
            } else {
                callers.add(caller);
            }
        }
        return callers;
    }

    private static List<RouteConfig> routes(Fields top, Problems problems) {
        List<RouteConfig> routes = new ArrayList<>();
        JsonNode array = top.array("routes");
        if (array == null) {
            if (!top.has("routes")) {
                problems.add("routes", "is required: list at least one route");
            }
            return routes;
        }
        if (array.isEmpty()) {
            problems.add("routes", "must list at least one route");
        }
        Map<String, Integer> names = new HashMap<>();
        Map<String, String> modelOwners = new HashMap<>();
        Integer defaultAt = null;
        for (int i = 0; i < array.size(); i++) {
            String path = Problems.index("routes", i);
            RouteConfig route = RouteParser.parse(array.get(i), path, problems);
            if (route == null) {
                continue;
            }
            Integer sameName = names.putIfAbsent(route.name(), i);
            if (sameName != null) {
                problems.add(path + ".name", "duplicate route name '" + route.name() + "' (also routes[" + sameName + "])");
            }
            if (route.isDefault()) {
                if (defaultAt != null) {
                    problems.add(path + ".default",
                            "only one route may be the default, and routes[" + defaultAt + "] already is");
                } else {
                    defaultAt = i;
                }
            }
            for (int m = 0; m < route.models().size(); m++) {
                String model = route.models().get(m);
                String owner = modelOwners.putIfAbsent(model, route.name());
                if (owner != null) {
                    // A repeated entry can never be reached, so it is certainly a mistake.
                    problems.add(path + ".models[" + m + "]",
                            "'" + model + "' is already listed by route '" + owner + "'");
                }
            }
            routes.add(route);
        }
        checkFallbacks(routes, names, problems);
        ConfigReferences.checkHedges(routes, names, problems);
        return routes;
    }

    /**
     * Every fallback must name a route. Fallbacks are not followed transitively (a request tries
     * its route's own list only), so routes naming each other cannot loop: each is tried once.
     */
    private static void checkFallbacks(List<RouteConfig> routes, Map<String, Integer> indexByName,
            Problems problems) {
        for (RouteConfig route : routes) {
            List<String> fallback = route.fallback();
            for (int f = 0; f < fallback.size(); f++) {
                if (!indexByName.containsKey(fallback.get(f))) {
                    String at = Problems.index("routes", indexByName.get(route.name())) + ".fallback";
                    problems.add(Problems.index(at, f), "no route is named '" + fallback.get(f) + "'");
                }
            }
        }
    }
}

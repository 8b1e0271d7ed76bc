package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

/** A config of one route named {@code p} for model {@code m}, with the route's other fields as given. */
final class OneRouteConfig {
    private OneRouteConfig() {}

    /** @param fields the route's members after name and models, as JSON text ({@code "type": "bedrock", ...}) */
    static RouteConfig route(String fields) {
        return ConfigLoader.parse(config(fields), "t").routes().get(0);
    }

    /** The problems the config loader names for such a route, which it must refuse. */
    static List<String> problems(String fields) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(config(fields), "t")).problems();
    }

    private static String config(String fields) {
        return "{\"routes\": [{\"name\": \"p\", \"models\": [\"m\"], " + fields + "}]}";
    }
}

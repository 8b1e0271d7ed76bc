package io.llmrelay.config;

import java.util.Locale;
import java.util.Optional;

/** How a route produces its answer. */
public enum RouteType {
    /** Forwards to an OpenAI-compatible upstream at {@code baseUrl}. */
    OPENAI,
    /** Answers from inside the relay, offline: for trying the relay without any upstream account. */
    DEMO;

    /** The spelling used in the config's {@code type}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<RouteType> fromConfigName(String name) {
        for (RouteType type : values()) {
            if (type.configName().equals(name)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}

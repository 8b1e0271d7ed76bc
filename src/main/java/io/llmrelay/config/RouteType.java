package io.llmrelay.config;

import java.util.Locale;
import java.util.Optional;

/** How a route produces its answer. */
public enum RouteType {
    /** Forwards to an OpenAI-compatible upstream at {@code baseUrl}. */
    OPENAI,
    /** Anthropic's Messages API, translated to and from OpenAI's chat completions. */
    ANTHROPIC,
    /** Amazon Bedrock's Converse API, SigV4-signed with the function's AWS credentials, translated likewise. */
    BEDROCK,
    /** Answers from inside the relay, offline: for trying the relay without any upstream account. */
    DEMO;

    /** The spelling used in the config's {@code type}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Every spelling, for the error that names them: {@code "openai", "anthropic", "bedrock" or "demo"}. */
    public static String choices() {
        StringBuilder text = new StringBuilder();
        RouteType[] all = values();
        for (int i = 0; i < all.length; i++) {
            text.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append('"').append(all[i].configName()).append('"');
        }
        return text.toString();
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

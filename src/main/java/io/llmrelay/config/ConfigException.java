package io.llmrelay.config;

import java.util.List;

/**
 * The relay config is unusable. Each problem starts with the JSON path of the field at fault
 * (e.g. {@code routes[1].baseUrl: ...}) and never quotes an apiKey or a key. Unchecked so that
 * start-up code can let it surface as the reason the relay will not start.
 */
public final class ConfigException extends RuntimeException {
    private final String source;
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(describe(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public ConfigException(String source, String problem) {
        this(source, List.of(problem));
    }

    /** Where the config came from, e.g. {@code RELAY_CONFIG} or a file path. */
    public String source() {
        return source;
    }

    /** Every problem found, each {@code path: what is wrong}; all are reported at once to save round trips. */
    public List<String> problems() {
        return problems;
    }

    private static String describe(String source, List<String> problems) {
        String prefix = "invalid relay config (" + source + ")";
        if (problems.size() == 1) {
            return prefix + ": " + problems.get(0);
        }
        StringBuilder text = new StringBuilder(prefix).append(": ").append(problems.size()).append(" problems");
        problems.forEach(p -> text.append("\n  - ").append(p));
        return text.toString();
    }
}

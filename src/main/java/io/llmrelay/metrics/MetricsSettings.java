package io.llmrelay.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Whether the relay writes metrics lines, and under which CloudWatch namespace; read once per
 * execution environment.
 *
 * <ul>
 *   <li>{@value #SWITCH_ENV}: {@code off}, {@code false}, {@code no} or {@code 0} (any case) turn
 *       metrics off; unset, blank, {@code on}, {@code true}, {@code yes} and {@code 1} leave them
 *       on; any other value is reported and read as on.</li>
 *   <li>{@value #NAMESPACE_ENV}: the namespace, default {@value #DEFAULT_NAMESPACE}. CloudWatch's
 *       rule (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Namespace):
 *       1 to 255 characters from {@code 0-9A-Za-z . - _ / # :} and space, at least one not a space;
 *       the API also refuses a leading {@code :}
 *       (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Metric.html), and
 *       {@code AWS/} is AWS's own. A value breaking it is reported and the default is used: a typo
 *       in a metrics setting must not take the relay down, nor lose its metrics.</li>
 * </ul>
 */
public record MetricsSettings(boolean enabled, String namespace) {
    public static final String SWITCH_ENV = "RELAY_METRICS";
    public static final String NAMESPACE_ENV = "RELAY_METRICS_NAMESPACE";
    public static final String DEFAULT_NAMESPACE = "LLMRelay";

    private static final Set<String> OFF = Set.of("off", "false", "no", "0");
    private static final Set<String> ON = Set.of("", "on", "true", "yes", "1");
    private static final Pattern NAMESPACE = Pattern.compile("[0-9A-Za-z._/#: -]{1,255}");

    public MetricsSettings {
        if (!validNamespace(namespace)) {
            throw new IllegalArgumentException("not a CloudWatch namespace: " + namespace);
        }
    }

    /** Metrics on, default namespace. */
    public static MetricsSettings defaults() {
        return new MetricsSettings(true, DEFAULT_NAMESPACE);
    }

    /** Reads both variables; each problem goes to {@code warnings} once, as a sentence. */
    public static MetricsSettings fromEnvironment(Map<String, String> env, Consumer<String> warnings) {
        return new MetricsSettings(enabled(env.get(SWITCH_ENV), warnings), namespace(env.get(NAMESPACE_ENV), warnings));
    }

    private static boolean enabled(String value, Consumer<String> warnings) {
        String word = value == null ? "" : value.strip().toLowerCase(Locale.ROOT);
        if (OFF.contains(word)) {
            return false;
        }
        if (!ON.contains(word)) {
            warnings.accept(SWITCH_ENV + " must be on or off, was '" + shown(value) + "'; metrics stay on");
        }
        return true;
    }

    private static String namespace(String value, Consumer<String> warnings) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_NAMESPACE;
        }
        if (validNamespace(value)) {
            return value;
        }
        warnings.accept(NAMESPACE_ENV + " '" + shown(value) + "' is not a CloudWatch namespace (1 to 255 of"
                + " 0-9 A-Z a-z . - _ / # : and space, not all spaces, not starting with ':' or 'AWS/');"
                + " using " + DEFAULT_NAMESPACE);
        return DEFAULT_NAMESPACE;
    }

    public static boolean validNamespace(String value) {
        return value != null && NAMESPACE.matcher(value).matches() && !value.isBlank() && !value.startsWith(":")
                && !value.startsWith("AWS/");
    }

    /** An environment value quoted in a warning: printable ASCII only, cut short. */
    private static String shown(String value) {
        String cut = value.length() <= 80 ? value : value.substring(0, 80) + "...";
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}

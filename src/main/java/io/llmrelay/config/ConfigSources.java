package io.llmrelay.config;

import io.llmrelay.aws.AwsClients;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Picks where the relay config comes from, by environment variable. */
public final class ConfigSources {
    /** Id or ARN of a Secrets Manager secret holding the config JSON (re-read on the key cache TTL). */
    public static final String ENV_SECRET = "RELAY_CONFIG_SECRET";

    private ConfigSources() {}

    /** {@link #fromEnvironment(Map, AwsClients, InstantSource, Consumer)} with the process-wide clients, the system clock and stderr. */
    public static Optional<ConfigSource> fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, AwsClients.standard(), InstantSource.system(), System.err::println);
    }

    /**
     * {@code RELAY_CONFIG} or {@code RELAY_CONFIG_FILE}: read and checked now, then fixed.
     * {@code RELAY_CONFIG_SECRET}: a {@link SecretsManagerConfigSource}, which reads nothing until
     * its first {@link ConfigSource#current()} (call it at start-up to fail fast, if wanted).
     * None set: empty (the caller decides, e.g. the demo config for {@code serve}).
     *
     * @throws ConfigException when more than one is set, or the inline/file config is invalid
     */
    public static Optional<ConfigSource> fromEnvironment(Map<String, String> env, AwsClients aws,
            InstantSource clock, Consumer<String> warnings) {
        List<String> set = environmentSources(env);
        if (set.size() > 1) {
            throw new ConfigException(String.join(" and ", set),
                    "more than one is set; set only one, so it is clear which config is in force");
        }
        if (set.equals(List.of(ENV_SECRET))) {
            return Optional.of(new SecretsManagerConfigSource(aws::secretsManager, env.get(ENV_SECRET).strip(),
                    clock, warnings));
        }
        return ConfigLoader.fromEnvironment(env).map(ConfigSource::fixed);
    }

    /**
     * {@code serve}: {@code --config FILE} when given, else {@link #fromEnvironment(Map)}. A file
     * beside an environment source is refused as two environment sources are: silently preferring
     * one would leave the operator guessing which config is in force.
     *
     * @param configFile the {@code --config} path, or null
     */
    public static Optional<ConfigSource> fromFileOrEnvironment(Path configFile, Map<String, String> env) {
        if (configFile == null) {
            return fromEnvironment(env);
        }
        List<String> set = environmentSources(env);
        if (!set.isEmpty()) {
            throw new ConfigException("--config and " + String.join(" and ", set),
                    "more than one is set; set only one, so it is clear which config is in force (unset "
                            + String.join(" and ", set) + ", or leave out --config)");
        }
        return Optional.of(ConfigSource.fixed(ConfigLoader.fromFile(configFile)));
    }

    /**
     * Which source is in force, as start-up names it: {@code --config relay.json},
     * {@code RELAY_CONFIG (inline JSON)}, {@code RELAY_CONFIG_FILE=/etc/relay.json},
     * {@code RELAY_CONFIG_SECRET=llm-relay/config}; empty when none is set. Names and paths only,
     * never the config itself. Call it after the source was accepted (one source at most).
     */
    public static Optional<String> origin(Path configFile, Map<String, String> env) {
        if (configFile != null) {
            return Optional.of("--config " + configFile);
        }
        List<String> set = environmentSources(env);
        if (set.isEmpty()) {
            return Optional.empty();
        }
        String name = set.get(0);
        return Optional.of(name.equals(ConfigLoader.ENV_INLINE) ? name + " (inline JSON)" : name + "=" + env.get(name).strip());
    }

    /** The config variables that are set (not blank), in a fixed order. */
    private static List<String> environmentSources(Map<String, String> env) {
        List<String> set = new ArrayList<>();
        for (String name : List.of(ConfigLoader.ENV_INLINE, ConfigLoader.ENV_FILE, ENV_SECRET)) {
            String value = env.get(name);
            if (value != null && !value.isBlank()) {
                set.add(name);
            }
        }
        return set;
    }
}

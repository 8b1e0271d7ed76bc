package io.llmrelay.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.ConfigSources;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.StartupCheck;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.metrics.EmfWriter;
import io.llmrelay.metrics.MetricsSettings;
import io.llmrelay.relay.RelaySetup;
import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.relay.log.LogLevel;
import java.io.PrintStream;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * The composition root: the one place that chooses the relay's parts (configuration source, key
 * resolvers and their AWS clients, upstreams and the Bedrock signer, log level, waits), for Lambda
 * and for {@code serve} alike.
 */
public final class RelaySetups {
    private RelaySetups() {}

    /**
     * The set-up on Lambda: configuration from {@code RELAY_CONFIG}, {@code RELAY_CONFIG_FILE} or
     * {@code RELAY_CONFIG_SECRET}; none at all means no callers and no routes, so every request
     * gets a 401 that says why. Reads the configuration once here (references only, never a key)
     * for the key cache TTL and to prepare AWS clients where init runs ahead of requests.
     */
    public static RelaySetup fromEnvironment(Map<String, String> env) {
        return forLambda(env, AwsClients.standard()).relay();
    }

    /**
     * The set-up on Lambda and the parts of it a SnapStart restore renews.
     *
     * @param relay     what the handler runs on
     * @param upstreams the routes' upstreams, replaceable (a new HTTP client)
     * @param aws       the AWS clients of the key resolvers and the config source
     * @param config    where the configuration comes from (a secret is read again after a restore)
     */
    record ForLambda(RelaySetup relay, RenewableUpstreams upstreams, AwsClients aws, ConfigSource config) {}

    /** {@link #fromEnvironment(Map)} with the given AWS clients (tests give clients pointed at moto). */
    static ForLambda forLambda(Map<String, String> env, AwsClients aws) {
        ConfigSource config = ConfigSources.fromEnvironment(env, aws, InstantSource.system(), System.err::println)
                .orElse(ConfigSource.fixed(new RelayConfig(List.of(), List.of())));
        RelayConfig first = null;
        try {
            first = config.current();
            KeyResolvers.prepare(first.keyReferences(), env, aws);
        } catch (ConfigSource.ConfigUnavailableException e) {
            // Not fatal: requests answer 503 config_unavailable until the store can be read.
            notice(System.out, "config_unavailable", e.getMessage());
        }
        StartupCheck.run(ConfigSources.origin(null, env), first, env, false, StartupCheck.Where.LAMBDA)
                .forEach(startupNotice -> System.out.println(startupNotice.json()));
        RenewableUpstreams upstreams = new RenewableUpstreams(() -> RouteUpstreams.standard(env));
        RelaySetup relay = new RelaySetup(config, KeyResolvers.standard(env, keyCacheTtl(first), aws), false, upstreams,
                System.out, logLevel(env, System.out), Pause.sleeping(), metrics(env, System.out));
        return new ForLambda(relay, upstreams, aws, config);
    }

    /**
     * The standard set-up for a configuration source, on Lambda and in {@code serve} alike: keys
     * from {@code env}, KMS and Secrets Manager behind a cache with the configuration's TTL (the
     * default TTL when {@code first} could not be read), real upstreams, the log level from
     * {@code RELAY_LOG_LEVEL}, the metrics writer from {@code RELAY_METRICS*}.
     */
    public static RelaySetup of(ConfigSource config, RelayConfig first, Map<String, String> env,
            boolean authDisabled, PrintStream out) {
        return new RelaySetup(config, KeyResolvers.standard(env, keyCacheTtl(first)), authDisabled,
                RouteUpstreams.standard(env), out, logLevel(env, out), Pause.sleeping(), metrics(env, out));
    }

    /**
     * The metrics writer of this execution environment, from {@code RELAY_METRICS} and
     * {@code RELAY_METRICS_NAMESPACE}; a bad value is reported on {@code warnings} and the default used.
     */
    public static EmfWriter metrics(Map<String, String> env, PrintStream warnings) {
        return new EmfWriter(MetricsSettings.fromEnvironment(env, warning -> notice(warnings, "config_warning", warning)));
    }

    /** The configuration's {@code keyCacheTtlSeconds}, or the default when it could not be read. */
    private static Duration keyCacheTtl(RelayConfig first) {
        return Duration.ofSeconds(first != null ? first.keyCacheTtlSeconds() : RelayConfig.DEFAULT_KEY_CACHE_TTL_SECONDS);
    }

    /**
     * {@code RELAY_LOG_LEVEL}, or {@code info} when unset. A value that is not a level is reported
     * on {@code warnings} and read as {@code info}: a typo in a log setting must not take the relay down.
     */
    public static LogLevel logLevel(Map<String, String> env, PrintStream warnings) {
        try {
            return LogLevel.parse(env.get(LogLevel.ENV));
        } catch (IllegalArgumentException e) {
            notice(warnings, "config_warning", e.getMessage() + "; using info");
            return LogLevel.INFO;
        }
    }

    /** A one-line JSON notice beside the request log (not a request, so not a request log line). */
    private static void notice(PrintStream out, String kind, String message) {
        ObjectNode line = Json.object();
        line.put("log", kind);
        line.put("message", message);
        out.println(Json.write(line));
    }
}

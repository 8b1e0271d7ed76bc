package io.llmrelay.relay;

import io.llmrelay.aws.AwsClients;
import io.llmrelay.config.ConfigSources;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.upstream.DemoUpstream;
import io.llmrelay.upstream.HttpUpstream;
import io.llmrelay.upstream.Upstream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the handler needs from outside, chosen once per execution environment.
 *
 * @param authDisabled only {@code serve --no-auth} (and the offline demo) set this
 * @param requestLog   where the one-line-per-request log goes (stdout on Lambda: CloudWatch)
 */
public record RelaySetup(
        ConfigSource config,
        KeyResolver keys,
        boolean authDisabled,
        Upstream httpUpstream,
        Upstream demoUpstream,
        PrintStream requestLog) {

    /**
     * The set-up on Lambda: configuration from {@code RELAY_CONFIG}, {@code RELAY_CONFIG_FILE} or
     * {@code RELAY_CONFIG_SECRET}; none at all means no callers and no routes, so every request
     * gets a 401 that says why. Reads the configuration once here (references only, never a key)
     * for the key cache TTL and to prepare AWS clients where init runs ahead of requests.
     */
    public static RelaySetup fromEnvironment(Map<String, String> env) {
        AwsClients aws = AwsClients.standard();
        ConfigSource config = ConfigSources.fromEnvironment(env)
                .orElse(ConfigSource.fixed(new RelayConfig(List.of(), List.of())));
        Duration keyCacheTtl = Duration.ofSeconds(RelayConfig.DEFAULT_KEY_CACHE_TTL_SECONDS);
        try {
            RelayConfig first = config.current();
            keyCacheTtl = Duration.ofSeconds(first.keyCacheTtlSeconds());
            KeyResolvers.prepare(first, env, aws);
        } catch (ConfigSource.ConfigUnavailableException e) {
            // Not fatal: requests answer 503 config_unavailable until the store can be read.
            System.out.println("{\"log\":\"config_unavailable\",\"message\":"
                    + io.llmrelay.json.Json.write(e.getMessage()) + "}");
        }
        return new RelaySetup(config, KeyResolvers.standard(env, keyCacheTtl, aws), false,
                new HttpUpstream(), new DemoUpstream(), System.out);
    }
}

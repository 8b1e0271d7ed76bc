package io.llmrelay.relay;

import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.upstream.DemoUpstream;
import io.llmrelay.upstream.HttpUpstream;
import io.llmrelay.upstream.Upstream;
import java.io.PrintStream;
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
     * The set-up on Lambda: configuration from {@code RELAY_CONFIG} or {@code RELAY_CONFIG_FILE};
     * none at all means no callers and no routes, so every request gets a 401 that says why.
     */
    public static RelaySetup fromEnvironment(Map<String, String> env) {
        RelayConfig config = ConfigLoader.fromEnvironment(env).orElse(new RelayConfig(List.of(), List.of()));
        return new RelaySetup(ConfigSource.fixed(config), KeyResolvers.standard(env), false,
                new HttpUpstream(), new DemoUpstream(), System.out);
    }
}

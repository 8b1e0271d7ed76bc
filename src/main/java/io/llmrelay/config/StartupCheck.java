package io.llmrelay.config;

import io.llmrelay.keys.KeyReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What start-up tells the operator before the first request could: which config is in force, and
 * what in it will make requests fail (an {@code env:} key whose variable is not set, no callers
 * while caller auth is on). It reads nothing but the config and the environment's variable
 * names; a variable's value is only tested for being there.
 */
public final class StartupCheck {
    /** Where the relay runs, for the advice a notice gives. */
    public enum Where {
        SERVE, LAMBDA
    }

    private StartupCheck() {}

    /**
     * @param origin        {@link ConfigSources#origin}; empty when no source is set
     * @param config        the config as first read; null when it could not be read yet (a secret)
     * @param authDisabled  {@code serve --no-auth} or the offline demo
     */
    public static List<StartupNotice> run(Optional<String> origin, RelayConfig config, Map<String, String> env,
            boolean authDisabled, Where where) {
        List<StartupNotice> notices = new ArrayList<>();
        notices.add(source(origin, config, where));
        if (config == null) {
            return notices;
        }
        for (RouteConfig route : config.routes()) {
            unsetVariable(route, env).ifPresent(notices::add);
        }
        if (config.callers().isEmpty() && !authDisabled) {
            notices.add(StartupNotice.alert("NO CALLERS: caller auth is on and \"callers\" is empty, so EVERY request"
                    + " will be refused with 401. Make a key with `caller-key new --name NAME` and add the entry it"
                    + " prints to \"callers\"" + (where == Where.SERVE ? " (or, for local testing only, serve --no-auth)." : ".")));
        }
        return notices;
    }

    private static StartupNotice source(Optional<String> origin, RelayConfig config, Where where) {
        if (origin.isEmpty()) {
            return StartupNotice.source("none: no --config, RELAY_CONFIG, RELAY_CONFIG_FILE or RELAY_CONFIG_SECRET"
                    + (where == Where.LAMBDA ? " (template parameters RelayConfig, ConfigSecretArn)" : "")
                    + ", so no routes and no callers");
        }
        String counts = config == null
                ? " (not read yet)"
                : ": " + config.routes().size() + " route(s), " + config.callers().size() + " caller(s)";
        return StartupNotice.source("from " + origin.get() + counts);
    }

    private static Optional<StartupNotice> unsetVariable(RouteConfig route, Map<String, String> env) {
        KeyReference key = route.apiKey();
        if (key == null || key.scheme() != KeyReference.Scheme.ENV) {
            return Optional.empty();
        }
        String value = env.get(key.value());
        if (value != null && !value.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(StartupNotice.warning("route '" + route.name() + "': its apiKey is env:" + key.value()
                + " and the environment variable " + key.value() + " is " + (value == null ? "not set" : "empty")
                + ", so its requests will get 503 upstream_key_unavailable until it is set (and the relay restarted)."));
    }
}

package io.llmrelay.relay;

import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.metrics.EmfWriter;
import io.llmrelay.metrics.MetricsSettings;
import io.llmrelay.relay.attempt.AttemptSources;
import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.relay.log.TranslationNoteLog;
import io.llmrelay.upstream.Upstream;
import java.io.PrintStream;

/**
 * Everything the handler needs from outside, chosen once per execution environment by the
 * composition root ({@code app.RelaySetups}: on Lambda from the environment, in {@code serve} from
 * its options).
 *
 * @param authDisabled only {@code serve --no-auth} (and the offline demo) set this
 * @param upstreams    the upstream of each route
 * @param requestLog   where the one-line-per-request log goes (stdout on Lambda: CloudWatch)
 * @param logLevel     how much of it ({@code RELAY_LOG_LEVEL})
 * @param pause        how the relay waits between upstream attempts (tests record instead)
 * @param metrics      writes each request's metrics line to {@code requestLog} ({@code RELAY_METRICS*})
 */
public record RelaySetup(
        ConfigSource config,
        KeyResolver keys,
        boolean authDisabled,
        Upstreams upstreams,
        PrintStream requestLog,
        LogLevel logLevel,
        Pause pause,
        EmfWriter metrics) implements AttemptSources {

    /** A set-up that writes no metrics lines. */
    public RelaySetup(ConfigSource config, KeyResolver keys, boolean authDisabled, Upstreams upstreams,
            PrintStream requestLog, LogLevel logLevel, Pause pause) {
        this(config, keys, authDisabled, upstreams, requestLog, logLevel, pause,
                new EmfWriter(new MetricsSettings(false, MetricsSettings.DEFAULT_NAMESPACE)));
    }

    /** The route's upstream, its translation notes going to the request log at {@code debug}. */
    @Override
    public Upstream upstream(RouteConfig route, String requestId) {
        return upstreams.forRoute(route, TranslationNoteLog.of(requestLog, logLevel, route.name(), requestId));
    }

    public RelaySetup withLogLevel(LogLevel level) {
        return new RelaySetup(config, keys, authDisabled, upstreams, requestLog, level, pause, metrics);
    }

    public RelaySetup withKeys(KeyResolver resolver) {
        return new RelaySetup(config, resolver, authDisabled, upstreams, requestLog, logLevel, pause, metrics);
    }

    public RelaySetup withPause(Pause waits) {
        return new RelaySetup(config, keys, authDisabled, upstreams, requestLog, logLevel, waits, metrics);
    }

    public RelaySetup withUpstreams(Upstreams routes) {
        return new RelaySetup(config, keys, authDisabled, routes, requestLog, logLevel, pause, metrics);
    }

    public RelaySetup withMetrics(EmfWriter writer) {
        return new RelaySetup(config, keys, authDisabled, upstreams, requestLog, logLevel, pause, writer);
    }
}

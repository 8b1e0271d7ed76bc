package io.llmrelay.relay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.aws.SigV4Signer;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.ConfigSources;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.upstream.DemoUpstream;
import io.llmrelay.upstream.HttpUpstream;
import io.llmrelay.upstream.JdkHttp;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Everything the handler needs from outside, chosen once per execution environment.
 *
 * @param authDisabled only {@code serve --no-auth} (and the offline demo) set this
 * @param requestLog   where the one-line-per-request log goes (stdout on Lambda: CloudWatch)
 * @param logLevel     how much of it ({@code RELAY_LOG_LEVEL})
 * @param pause        how the relay waits between upstream attempts (tests record instead)
 * @param providers    the upstreams of anthropic and bedrock routes
 */
public record RelaySetup(
        ConfigSource config,
        KeyResolver keys,
        boolean authDisabled,
        Upstream httpUpstream,
        Upstream demoUpstream,
        PrintStream requestLog,
        LogLevel logLevel,
        Pause pause,
        ProviderUpstreams providers) {

    /** Provider upstreams with their own HTTP client and the process environment's AWS credentials. */
    public RelaySetup(ConfigSource config, KeyResolver keys, boolean authDisabled, Upstream httpUpstream,
            Upstream demoUpstream, PrintStream requestLog, LogLevel logLevel, Pause pause) {
        this(config, keys, authDisabled, httpUpstream, demoUpstream, requestLog, logLevel, pause,
                ProviderUpstreams.standard(System.getenv()));
    }

    /** Request log at {@code info}, real waits between attempts. */
    public RelaySetup(ConfigSource config, KeyResolver keys, boolean authDisabled, Upstream httpUpstream,
            Upstream demoUpstream, PrintStream requestLog) {
        this(config, keys, authDisabled, httpUpstream, demoUpstream, requestLog, LogLevel.INFO, Pause.sleeping());
    }

    public RelaySetup withLogLevel(LogLevel level) {
        return new RelaySetup(config, keys, authDisabled, httpUpstream, demoUpstream, requestLog, level, pause, providers);
    }

    public RelaySetup withKeys(KeyResolver resolver) {
        return new RelaySetup(config, resolver, authDisabled, httpUpstream, demoUpstream, requestLog, logLevel, pause);
    }

    public RelaySetup withPause(Pause waits) {
        return new RelaySetup(config, keys, authDisabled, httpUpstream, demoUpstream, requestLog, logLevel, waits,
                providers);
    }

    /** The upstream that answers for {@code route}, by its type. */
    public Upstream upstream(RouteConfig route) {
        return switch (route.type()) {
            case OPENAI -> httpUpstream;
            case DEMO -> demoUpstream;
            case ANTHROPIC, BEDROCK -> providers.forRoute(route, requestId -> translationNotes(route.name(), requestId));
        };
    }

    /** At {@code debug}, one line per note (dropped parameters, ignored events); nothing otherwise. */
    private TranslationNotes translationNotes(String route, String requestId) {
        if (logLevel != LogLevel.DEBUG) {
            return TranslationNotes.NONE;
        }
        return (kind, detail) -> {
            ObjectNode line = Json.object();
            line.put("log", "translation_note");
            line.put("requestId", requestId);
            line.put("route", route);
            line.put("kind", kind);
            line.put("detail", detail);
            requestLog.println(Json.write(line));
        };
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
        RelayConfig first = null;
        try {
            first = config.current();
            KeyResolvers.prepare(first.keyReferences(), env, aws);
        } catch (ConfigSource.ConfigUnavailableException e) {
            // Not fatal: requests answer 503 config_unavailable until the store can be read.
            notice(System.out, "config_unavailable", e.getMessage());
        }
        return of(config, first, env, false, System.out);
    }

    /**
     * The standard set-up for a configuration source, on Lambda and in {@code serve} alike: keys
     * from {@code env}, KMS and Secrets Manager behind a cache with the configuration's TTL (the
     * default TTL when {@code first} could not be read), real upstreams, the log level from
     * {@code RELAY_LOG_LEVEL}.
     */
    public static RelaySetup of(ConfigSource config, RelayConfig first, Map<String, String> env,
            boolean authDisabled, PrintStream out) {
        Duration keyCacheTtl = Duration.ofSeconds(
                first != null ? first.keyCacheTtlSeconds() : RelayConfig.DEFAULT_KEY_CACHE_TTL_SECONDS);
        HttpClient client = JdkHttp.newClient();
        return new RelaySetup(config, KeyResolvers.standard(env, keyCacheTtl), authDisabled,
                new HttpUpstream(client), new DemoUpstream(), out, logLevel(env, out), Pause.sleeping(),
                new ProviderUpstreams(client, () -> SigV4Signer.fromEnvironment(env)));
    }

    /** A one-line JSON notice beside the request log (not a request, so not a RequestLog line). */
    private static void notice(PrintStream out, String kind, String message) {
        ObjectNode line = Json.object();
        line.put("log", kind);
        line.put("message", message);
        out.println(Json.write(line));
    }
}

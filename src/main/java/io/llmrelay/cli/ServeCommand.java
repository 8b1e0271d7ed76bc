package io.llmrelay.cli;

import io.llmrelay.app.RelaySetups;
import io.llmrelay.config.ConfigException;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.ConfigSources;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.StartupCheck;
import io.llmrelay.local.LocalFunctionUrlServer;
import io.llmrelay.relay.RelayHandler;
import io.llmrelay.relay.RelaySetup;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.upstream.demo.DemoModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * {@code serve}: the relay as a local Function URL on 127.0.0.1, through the same runtime loop
 * and Runtime API protocol as on Lambda. With no configuration it serves an offline demo model,
 * so a newcomer sees streaming with no account anywhere.
 */
public final class ServeCommand {
    static final String USAGE = """
            usage: java -jar llm-relay.jar serve [--port 8080] [--config FILE] [--no-auth] [--concurrency 16] [--queue N]
                                                 [--timeout 300] [--invocations-per-environment 1]

              --port N          port on 127.0.0.1 (default 8080; 0 picks a free one)
              --config FILE     relay configuration (default: RELAY_CONFIG / RELAY_CONFIG_FILE / RELAY_CONFIG_SECRET,
                                else the offline demo; --config beside one of those is refused)
              --no-auth         accept every caller (local testing only)
              --concurrency N   simulated execution environments, i.e. invocations running at once (default 16)
              --queue N         invocations that may wait for an environment beyond those (default: as many as
                                --concurrency; 0 waits none, as Lambda); beyond them: 429 with retry-after
              --timeout S       the function timeout in seconds, 1 to 900, as template.yaml's Timeout (default 300)
              --invocations-per-environment N
                                invocations each environment runs at once, 1 to 1000, as Lambda Managed Instances'
                                AWS_LAMBDA_MAX_CONCURRENCY: N runtime loops sharing one handler (default 1)
              -h, --help        this text

            RELAY_LOG_LEVEL (off, error, info, debug; default info) sets how much the request log says.
            """;

    /** The options that take a value, with what each value is. */
    static final Map<String, String> OPTIONS = Map.of(
            "--port", "a port number, 0 to 65535 (0 picks a free one)",
            "--config", "the path of a relay config FILE",
            "--concurrency", "a whole number of environments, 1 to 1000",
            "--queue", "a whole number of waiting invocations, 0 to 10000",
            "--timeout", "the function timeout in whole seconds, 1 to 900",
            "--invocations-per-environment", "a whole number of concurrent invocations per environment, 1 to 1000");
    /** The options that take none. */
    static final Set<String> FLAGS = Set.of("--no-auth");

    private ServeCommand() {}

    /** Lambda's default in template.yaml; each invocation's deadline is this far after it starts. */
    public static final long DEFAULT_TIMEOUT_MS = 300_000;

    /**
     * Parsed command line.
     *
     * @param queue     how many invocations may wait for an environment beyond {@code concurrency}
     * @param timeoutMs the function timeout: every invocation's deadline, as on Lambda
     * @param invocationsPerEnvironment runtime loops per environment, sharing its handler (Managed Instances)
     */
    public record Options(int port, Path configFile, boolean noAuth, int concurrency, int queue, long timeoutMs,
            int invocationsPerEnvironment) {
        /** As many may wait as may run; one invocation per environment. */
        public Options(int port, Path configFile, boolean noAuth, int concurrency, long timeoutMs) {
            this(port, configFile, noAuth, concurrency, concurrency, timeoutMs, 1);
        }

        public Options(int port, Path configFile, boolean noAuth, int concurrency) {
            this(port, configFile, noAuth, concurrency, DEFAULT_TIMEOUT_MS);
        }
    }

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("serve: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        try {
            LocalFunctionUrlServer server = start(options, env, out);
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (Exception ignored) {
                    // the process is ending either way
                }
                stopped.countDown();
            }, "serve-shutdown"));
            stopped.await();
            return 0;
        } catch (ConfigException e) {
            err.println("serve: " + e.getMessage());
            return 2;
        } catch (LocalFunctionUrlServer.PortInUseException e) {
            err.println("serve: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("serve: could not start: " + e.getMessage());
            return 1;
        }
    }

    /** Starts the server and prints what it serves and how to try it. */
    public static LocalFunctionUrlServer start(Options options, Map<String, String> env, PrintStream out) throws Exception {
        return start(options, env, out, UnaryOperator.identity());
    }

    /**
     * As {@link #start(Options, Map, PrintStream)}, with a last say over the handler's set-up
     * (tests use it to record the relay's waits between upstream attempts instead of sitting them out).
     */
    public static LocalFunctionUrlServer start(Options options, Map<String, String> env, PrintStream out,
            UnaryOperator<RelaySetup> customize) throws Exception {
        Optional<ConfigSource> configured = ConfigSources.fromFileOrEnvironment(options.configFile(), env);
        boolean demo = configured.isEmpty();
        ConfigSource source = configured.orElseGet(() -> ConfigSource.fixed(RelayConfig.demo()));
        RelayConfig config = source.current();
        boolean authOff = demo || options.noAuth();
        RelaySetup setup = customize.apply(RelaySetups.of(source, config, env, authOff, out));
        long started = System.nanoTime();
        LocalFunctionUrlServer server = LocalFunctionUrlServer.start(() -> new RelayHandler(setup),
                new LocalFunctionUrlServer.Options("127.0.0.1", options.port(), options.concurrency(), options.queue(),
                        options.timeoutMs(), LocalFunctionUrlServer.Options.defaults(0).function(),
                        setup.logLevel() == LogLevel.DEBUG, options.invocationsPerEnvironment()),
                out);
        long initMs = (System.nanoTime() - started) / 1_000_000;
        String url = server.url().toString();
        out.println("LLM Relay is serving a local Function URL (same runtime loop and Runtime API as on Lambda).");
        out.println("  base URL:  " + url + "/v1   (POST /v1/chat/completions, POST /v1/responses, GET /v1/models)");
        if (demo) {
            out.println("  config:    none given, so the OFFLINE DEMO: model '" + DemoModel.MODEL
                    + "' streams a short reply word by word; no upstream, no account needed.");
            out.println("             Give a config with --config FILE, RELAY_CONFIG or RELAY_CONFIG_FILE (see relay.example.json).");
        } else {
            StartupCheck.run(ConfigSources.origin(options.configFile(), env), config, env, authOff, StartupCheck.Where.SERVE)
                    .forEach(notice -> out.println(notice.readable()));
        }
        if (authOff) {
            out.println("  AUTH IS OFF: every caller is accepted" + (demo ? " (demo mode)" : " (--no-auth)")
                    + ". Do not expose this port.");
        } else {
            out.println("  auth:      callers need 'Authorization: Bearer <key>' or 'x-api-key: <key>'.");
        }
        out.println("  environments: up to " + options.concurrency() + " running at once (--concurrency), up to "
                + options.queue() + " more waiting (--queue), then 429 with retry-after; first one ready in " + initMs
                + " ms; function timeout " + options.timeoutMs() + " ms; request log "
                + setup.logLevel().name().toLowerCase(Locale.ROOT));
        out.println("  try:  curl -N " + url + "/v1/chat/completions -H 'content-type: application/json' \\");
        out.println("          -d '{\"model\":\"" + (demo ? DemoModel.MODEL : "<a model from your config>")
                + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'"
                + (authOff ? "" : " -H 'authorization: Bearer <caller key>'"));
        out.println("Listening on " + url + "  (Ctrl-C stops)");
        out.flush();
        return server;
    }

    /** @return null when help was asked for */
    static Options parse(String[] args) {
        CommandLine.Parsed parsed = CommandLine.parse(args, OPTIONS, FLAGS);
        if (parsed.help()) {
            return null;
        }
        if (!parsed.positionals().isEmpty()) {
            throw new IllegalArgumentException("unexpected argument '" + parsed.positionals().get(0).text()
                    + "' (serve takes options only; --help lists them)");
        }
        String port = parsed.value("--port");
        String config = parsed.value("--config");
        String concurrency = parsed.value("--concurrency");
        String queue = parsed.value("--queue");
        String timeout = parsed.value("--timeout");
        int environments = concurrency == null ? 16 : intValue("--concurrency", concurrency, 1, 1000);
        String perEnvironment = parsed.value("--invocations-per-environment");
        return new Options(
                port == null ? 8080 : intValue("--port", port, 0, 65535),
                config == null ? null : Path.of(config),
                parsed.flag("--no-auth"),
                environments,
                queue == null ? environments : intValue("--queue", queue, 0, 10_000),
                timeout == null ? DEFAULT_TIMEOUT_MS : intValue("--timeout", timeout, 1, 900) * 1000L,
                perEnvironment == null ? 1 : intValue("--invocations-per-environment", perEnvironment, 1, 1000));
    }

    private static int intValue(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number, was '" + value + "'");
        }
    }
}

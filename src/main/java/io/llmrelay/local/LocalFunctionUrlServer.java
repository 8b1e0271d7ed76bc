package io.llmrelay.local;

import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.HandlerFactory;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Lambda Function URL on 127.0.0.1: each HTTP request becomes a payload-2.0 event, runs through
 * the real runtime loop and Runtime API protocol (via {@link LocalRuntimeApi}), and the streamed
 * response is read back as Lambda reads it (prelude, 8 NULs, body) and forwarded chunk by chunk.
 * {@code sam local} cannot do this (aws-sam-cli issue 6501): it buffers the whole response.
 */
public final class LocalFunctionUrlServer implements AutoCloseable {
    /** Lambda's limit on a synchronous invocation's request payload. */
    static final int MAX_REQUEST_BYTES = 6 * 1024 * 1024;
    /** How long stopping waits for the runtime loops to end (a busy one completes its invocation first). */
    private static final long STOP_WAIT_MS = 2_000;

    private final LocalRuntimeApi runtimeApi;
    private final ExecutionEnvironments environments;
    private final Server server;
    private final ServerConnector connector;

    /**
     * @param maxEnvironments how many invocations may run at once (Lambda's concurrency)
     * @param maxQueued       how many more may wait for an environment; beyond those, 429 ({@link Throttle})
     * @param timeoutMs       the function timeout: each invocation's deadline
     * @param debug           also say when a caller's hang-up is noticed
     * @param invocationsPerEnvironment how many invocations each environment runs at once, on as many
     *     runtime loops sharing one handler (Lambda Managed Instances' {@code AWS_LAMBDA_MAX_CONCURRENCY}); 1 by default
     */
    public record Options(String host, int port, int maxEnvironments, int maxQueued, long timeoutMs,
            FunctionEnvironment function, boolean debug, int invocationsPerEnvironment) {
        /** As many may wait as may run; no debug lines; one invocation per environment. */
        public Options(String host, int port, int maxEnvironments, long timeoutMs, FunctionEnvironment function) {
            this(host, port, maxEnvironments, maxEnvironments, timeoutMs, function, false, 1);
        }

        public static Options defaults(int port) {
            return new Options("127.0.0.1", port, 16, 300_000,
                    new FunctionEnvironment("llm-relay-local", "$LATEST", 1024, "/aws/lambda/llm-relay-local", "local"));
        }
    }

    /** The port is taken: serve's first words when it cannot listen. */
    public static final class PortInUseException extends IOException {
        PortInUseException(String host, int port, IOException cause) {
            super("port " + port + " is in use on " + host + " (another serve, or another program, listens there);"
                    + " choose another with --port N, or --port 0 for a free one", cause);
        }
    }

    /** @param log serve's event lines go here, each stamped with the time ({@link StampedLines}) */
    private LocalFunctionUrlServer(LocalRuntimeApi runtimeApi, HandlerFactory handlers, Options options,
            PrintStream log) {
        this.runtimeApi = runtimeApi;
        this.environments = new ExecutionEnvironments(runtimeApi, handlers, options.function(),
                options.maxEnvironments(), options.invocationsPerEnvironment(), log);
        int invocations = options.maxEnvironments() * options.invocationsPerEnvironment();
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(32, invocations * 2 + 8), 4);
        threads.setName("function-url");
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(httpConfiguration()));
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        server.setErrorHandler(new RefusalErrorHandler());
        Throttle throttle = new Throttle(options.maxEnvironments(), options.invocationsPerEnvironment(),
                options.maxQueued(), log);
        server.setHandler(new FunctionUrlBridge(runtimeApi, environments, options.timeoutMs(), throttle,
                options.debug(), log));
    }

    /**
     * A Function URL hands the function any path as it came ({@code rawPath} keeps {@code //},
     * {@code %2F}, dot segments): a platform that appends {@code /chat/completions} to a base URL
     * ending in {@code /} sends {@code //chat/completions}. So Jetty checks no URI rule of its own
     * (UriCompliance.UNSAFE allows every violation it knows) and the relay decides.
     */
    private static HttpConfiguration httpConfiguration() {
        HttpConfiguration configuration = new HttpConfiguration();
        configuration.setUriCompliance(UriCompliance.UNSAFE);
        configuration.setSendServerVersion(false);
        return configuration;
    }

    /**
     * Takes the port, then starts the Runtime API, the first execution environment (its init runs
     * now, as a cold start would) and the HTTP listener. The port comes first so that a busy one is
     * the first and only thing said, before any environment starts.
     *
     * @param log where serve's event lines go (and its runtime loops' lines), each stamped with the time
     * @throws PortInUseException    when the port is taken
     * @throws IllegalStateException when the function's init fails; the message has the error
     */
    public static LocalFunctionUrlServer start(HandlerFactory handlers, Options options, PrintStream log)
            throws Exception {
        LocalRuntimeApi api = LocalRuntimeApi.start(
                options.maxEnvironments() * options.invocationsPerEnvironment() + options.maxQueued());
        LocalFunctionUrlServer server = new LocalFunctionUrlServer(api, handlers, options, StampedLines.of(log));
        try {
            server.listen(options);
            if (!server.environments.startFirst()) {
                throw new IllegalStateException("the function failed to initialise: "
                        + String.join("; ", api.initErrors()));
            }
            server.server.start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Binds the port (Jetty's start then uses the bound channel). */
    private void listen(Options options) throws IOException {
        try {
            connector.open();
        } catch (IOException e) {
            if (e.getCause() instanceof BindException || e instanceof BindException) {
                throw new PortInUseException(options.host(), options.port(), e);
            }
            throw e;
        }
    }

    public URI url() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    /** Stops the runtime loops (quietly), then listening, then the Runtime API. */
    @Override
    public void close() throws Exception {
        environments.stop();
        try {
            server.stop();
        } finally {
            runtimeApi.close();
            environments.awaitStopped(STOP_WAIT_MS);
        }
    }
}

package io.llmrelay.testing;

import io.llmrelay.cli.ServeCommand;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.local.LocalFunctionUrlServer;
import io.llmrelay.relay.RelaySetup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The relay as {@code serve} runs it (local Function URL, runtime loop, Runtime API, handler), on
 * a free port, with a config written to a temporary file. Everything it prints is kept, so tests
 * can check that no key ever appears there.
 */
public final class RelayUnderTest implements AutoCloseable {
    /** The caller key every test config accepts (as caller "tester"). */
    public static final String CALLER_KEY = "rk-test-caller-key-0123456789";
    public static final String UPSTREAM_KEY = "sk-test-upstream-SECRET-4f1a9c";

    private final LocalFunctionUrlServer server;
    private final ByteArrayOutputStream output;
    private final TeeOutputStream tee;
    private final Path configFile;

    private RelayUnderTest(LocalFunctionUrlServer server, ByteArrayOutputStream output, TeeOutputStream tee,
            Path configFile) {
        this.server = server;
        this.output = output;
        this.tee = tee;
        this.configFile = configFile;
    }

    /** Starts {@code serve --config <file>} with the given environment (for {@code env:} keys). */
    public static RelayUnderTest serve(String configJson, Map<String, String> env) throws Exception {
        return serve(configJson, env, false);
    }

    /** As {@link #serve(String, Map)}; {@code noAuth} is {@code serve --no-auth} (every caller accepted). */
    public static RelayUnderTest serve(String configJson, Map<String, String> env, boolean noAuth) throws Exception {
        return with(configJson).env(env).noAuth(noAuth).start();
    }

    /** Everything else about how serve runs, for tests that need it (concurrency, function timeout, waits). */
    public static Builder with(String configJson) {
        return new Builder(configJson);
    }

    /** How to start serve; defaults are those of {@link #serve(String, Map)}. */
    public static final class Builder {
        private final String configJson;
        private Map<String, String> env = Map.of();
        private boolean noAuth;
        private int concurrency = 8;
        private int invocationsPerEnvironment = 1;
        private Integer queue;
        private long timeoutMs = ServeCommand.DEFAULT_TIMEOUT_MS;
        private UnaryOperator<RelaySetup> customize = UnaryOperator.identity();

        private Builder(String configJson) {
            this.configJson = configJson;
        }

        public Builder env(Map<String, String> variables) {
            env = variables;
            return this;
        }

        public Builder noAuth(boolean off) {
            noAuth = off;
            return this;
        }

        /** {@code --concurrency}: how many execution environments may run at once. */
        public Builder concurrency(int environments) {
            concurrency = environments;
            return this;
        }

        /** {@code --queue}: how many invocations may wait for an environment (default: as many as {@code --concurrency}). */
        public Builder queue(int waiting) {
            queue = waiting;
            return this;
        }

        /** The function timeout: each invocation's deadline is this long after it starts. */
        /** {@code --invocations-per-environment}: runtime loops sharing each environment's handler. */
        public Builder invocationsPerEnvironment(int loops) {
            invocationsPerEnvironment = loops;
            return this;
        }

        public Builder timeoutMs(long millis) {
            timeoutMs = millis;
            return this;
        }

        /** A last change to the handler's set-up, e.g. {@code setup -> setup.withPause(recorder)}. */
        public Builder customize(UnaryOperator<RelaySetup> change) {
            customize = change;
            return this;
        }

        public RelayUnderTest start() throws Exception {
            Path file = Files.createTempFile("relay-config", ".json");
            Files.writeString(file, configJson);
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            TeeOutputStream tee = new TeeOutputStream(output);
            PrintStream out = new PrintStream(tee, true, StandardCharsets.UTF_8);
            LocalFunctionUrlServer server = ServeCommand.start(
                    new ServeCommand.Options(0, file, noAuth, concurrency, queue == null ? concurrency : queue, timeoutMs,
                            invocationsPerEnvironment), env, out, customize);
            return new RelayUnderTest(server, output, tee, file);
        }
    }

    /**
     * A config with caller "tester" ({@link #CALLER_KEY}) and one default route "main" to
     * {@code upstreamBaseUrl} whose key is {@code env:UPSTREAM_KEY} ({@link #UPSTREAM_KEY}).
     */
    public static String oneRouteConfig(String upstreamBaseUrl, String extraRouteFields) {
        return """
                {"callers": [{"name": "tester", "keySha256": "%s"}],
                 "routes": [{"name": "main", "baseUrl": "%s", "apiKey": "env:UPSTREAM_KEY",
                             "models": ["gpt-4o-mini", "gpt-4o*"], "default": true%s}]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY), upstreamBaseUrl,
                extraRouteFields == null || extraRouteFields.isEmpty() ? "" : ", " + extraRouteFields);
    }

    /**
     * A config with caller "tester" ({@link #CALLER_KEY}) and the given routes (each a JSON
     * object); {@code topLevelFields} (e.g. {@code "maxRequestBytes": 4096}) may be null.
     */
    public static String config(String topLevelFields, String... routes) {
        return """
                {"callers": [{"name": "tester", "keySha256": "%s"}]%s,
                 "routes": [%s]}
                """.formatted(KeyDigest.sha256Hex(CALLER_KEY),
                topLevelFields == null || topLevelFields.isEmpty() ? "" : ", " + topLevelFields,
                String.join(",\n  ", routes));
    }

    /** A route to {@code baseUrl} whose key is {@code env:UPSTREAM_KEY}; {@code extraFields} may be null. */
    public static String route(String name, String baseUrl, String modelsJson, String extraFields) {
        return """
                {"name": "%s", "baseUrl": "%s", "apiKey": "env:UPSTREAM_KEY", "models": %s%s}"""
                .formatted(name, baseUrl, modelsJson,
                        extraFields == null || extraFields.isEmpty() ? "" : ", " + extraFields);
    }

    public static Map<String, String> upstreamKeyEnv() {
        return Map.of("UPSTREAM_KEY", UPSTREAM_KEY);
    }

    /** The base URL a platform would be given: {@code http://127.0.0.1:PORT/v1}. */
    public URI baseUrl() {
        return URI.create(server.url() + "/v1");
    }

    /** The server's root, {@code http://127.0.0.1:PORT}, for requests to paths other than under /v1. */
    public URI url() {
        return server.url();
    }

    /** {@code url()} plus {@code path} (which starts with a slash). */
    public URI uri(String path) {
        return URI.create(server.url() + path);
    }

    /** Everything serve (and the handler's request log) printed so far. */
    public String output() {
        return output.toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits until serve has printed {@code fragment} (woken by each write, no polling).
     *
     * @return false when it did not within {@code within}
     */
    public boolean awaitOutput(String fragment, Duration within) throws InterruptedException {
        long until = System.nanoTime() + within.toNanos();
        synchronized (tee) {
            while (!output().contains(fragment)) {
                long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                tee.wait(left);
            }
            return true;
        }
    }

    /** The line serve printed that contains {@code fragment}, waiting for it as {@link #awaitOutput} does; null if none came. */
    public String awaitLine(String fragment, Duration within) throws InterruptedException {
        if (!awaitOutput(fragment, within)) {
            return null;
        }
        return output().lines().filter(line -> line.contains(fragment)).findFirst().orElse(null);
    }

    /**
     * Stops serve, then checks everything it printed (start-up, request log, runtime messages)
     * for the test keys: every test that runs serve checks this, whatever it is about.
     */
    @Override
    public void close() throws Exception {
        try {
            server.close();
            Files.deleteIfExists(configFile);
        } finally {
            assertNoTestKeyIn(output());
        }
    }

    /** Fails when {@code text} contains {@link #CALLER_KEY} or {@link #UPSTREAM_KEY}. */
    public static void assertNoTestKeyIn(String text) {
        if (text.contains(CALLER_KEY)) {
            throw new AssertionError("serve printed the caller key");
        }
        if (text.contains(UPSTREAM_KEY)) {
            throw new AssertionError("serve printed the upstream key");
        }
    }

    /** Keeps serve's output for assertions and still shows it in the test log. */
    private static final class TeeOutputStream extends java.io.OutputStream {
        private final ByteArrayOutputStream copy;

        TeeOutputStream(ByteArrayOutputStream copy) {
            this.copy = copy;
        }

        @Override
        public synchronized void write(int b) {
            copy.write(b);
            System.out.write(b);
            notifyAll();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            copy.write(b, off, len);
            System.out.write(b, off, len);
            notifyAll();
        }
    }
}

package io.llmrelay.testing;

import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link FakeUpstream}, the relay served against it ({@link RelayUnderTest}) and a
 * {@link RelayClient} to call it, shared by all tests of a class. Register it with
 * {@code @RegisterExtension} on a static field:
 *
 * <pre>{@code
 * static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));
 * }</pre>
 *
 * Before all tests the upstream starts, then serve with the config built from it and the
 * upstream key in its environment ({@link RelayUnderTest#upstreamKeyEnv()}). Before each test the
 * upstream forgets earlier scripts and requests. After all tests the client checks that no key
 * reached it or serve's output, and the relay and upstream stop. The field is static because
 * one relay per class, not per test, is what keeps these suites fast.
 */
public final class ServedRelay implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    /** The relay's config JSON; it gets the started upstream because routes point at its port. */
    @FunctionalInterface
    public interface Config {
        String of(FakeUpstream upstream) throws Exception;
    }

    private final Config config;
    private UnaryOperator<RelayUnderTest.Builder> serve = UnaryOperator.identity();
    private FakeUpstream upstream;
    private RelayUnderTest relay;
    private RelayClient client;

    private ServedRelay(Config config) {
        this.config = config;
    }

    public static ServedRelay with(Config config) {
        return new ServedRelay(config);
    }

    /**
     * Anything else about how serve runs, applied after the default environment (so
     * {@code .env(...)} here replaces it): e.g. {@code serve -> serve.timeoutMs(3000)} or
     * {@code serve -> serve.customize(setup -> setup.withPause(pauses))}.
     */
    public ServedRelay serving(UnaryOperator<RelayUnderTest.Builder> change) {
        serve = change;
        return this;
    }

    public FakeUpstream upstream() {
        return upstream;
    }

    public RelayUnderTest relay() {
        return relay;
    }

    public RelayClient client() {
        return client;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        upstream = FakeUpstream.start();
        relay = serve.apply(RelayUnderTest.with(config.of(upstream)).env(RelayUnderTest.upstreamKeyEnv())).start();
        client = new RelayClient(relay);
    }

    /** So one test's leftovers (a script a failed test never used) cannot answer the next test's request. */
    @Override
    public void beforeEach(ExtensionContext context) {
        upstream.reset();
    }

    /**
     * The key-leak check first, but whatever it finds, both servers stop: a failed check must not
     * leave ports and threads behind for the rest of the suite. Fields may be null when
     * {@link #beforeAll} failed part-way; JUnit still calls this then.
     */
    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (client != null) {
                client.assertNoKeyLeaked();
            }
        } finally {
            try {
                if (relay != null) {
                    relay.close(); // also fails if serve printed a test key
                }
            } finally {
                if (upstream != null) {
                    upstream.close();
                }
            }
        }
    }
}

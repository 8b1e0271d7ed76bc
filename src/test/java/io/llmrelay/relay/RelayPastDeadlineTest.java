package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.Context;
import io.llmrelay.app.RouteUpstreams;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.Invocation;
import io.llmrelay.runtime.LambdaContext;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.SingleEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A past deadline is a past deadline. An invocation that reaches the handler with its deadline
 * already spent (delivered late, after a long init or a GC) or nearer than the margin gets the
 * relay's 504 {@code deadline_exceeded} at once: no key store, no upstream. Through the real
 * runtime loop (one environment, events as Lambda delivers them) whose {@code Context} reads a
 * clock that runs ahead of the Runtime API's by a chosen amount. Only an invocation without any
 * deadline is unbounded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayPastDeadlineTest {
    private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(20);
    private static final long MARGIN_MS = 2000;

    /** How far the function's clock runs ahead of real time. */
    private static final AtomicLong ahead = new AtomicLong();
    private static final AtomicInteger keyLookups = new AtomicInteger();
    private static FakeUpstream upstream;
    private static SingleEnvironment environment;
    private static final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeUpstream.start();
        RelayConfig config = ConfigLoader.parse(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null), "past-deadline");
        assertEquals(MARGIN_MS, config.deadlineMarginMs(), "the default margin");
        KeyResolver env = KeyResolvers.standard(RelayUnderTest.upstreamKeyEnv());
        KeyResolver counting = (route, ref) -> {
            keyLookups.incrementAndGet();
            return env.resolve(route, ref);
        };
        PrintStream log = new PrintStream(output, true, StandardCharsets.UTF_8);
        RelaySetup setup = new RelaySetup(ConfigSource.fixed(config), counting, false,
                RouteUpstreams.standard(System.getenv()), log, LogLevel.INFO, Pause.sleeping());
        environment = SingleEnvironment.start(() -> new RelayHandler(setup), log,
                () -> System.currentTimeMillis() + ahead.get());
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            environment.close();
            upstream.close();
        } finally {
            RelayUnderTest.assertNoTestKeyIn(output.toString(StandardCharsets.UTF_8));
        }
    }

    @BeforeEach
    void realTime() {
        ahead.set(0);
        keyLookups.set(0);
        upstream.reset();
    }

    @Test
    void anInvocationWhoseDeadlineHasPassedIs504AtOnceWithoutAKeyOrAnUpstream() throws Exception {
        ahead.set(FUNCTION_TIMEOUT.toMillis() + 5_000); // the Context says: deadline 5 s ago

        SingleEnvironment.Answer answer = environment.invoke(BadRequestCase.goodChat("chat").event(), FUNCTION_TIMEOUT);

        assertDeadlineExceeded(answer);
    }

    @Test
    void anInvocationWithLessTimeLeftThanTheMarginIs504AtOnceToo() throws Exception {
        ahead.set(FUNCTION_TIMEOUT.toMillis() - MARGIN_MS / 2); // one second left: less than the margin

        assertDeadlineExceeded(environment.invoke(BadRequestCase.goodChat("chat").event(), FUNCTION_TIMEOUT));
    }

    @Test
    void theSameEnvironmentServesAnInvocationOnTimeNormally() throws Exception {
        SingleEnvironment.Answer answer = environment.invoke(BadRequestCase.goodChat("chat").event(), FUNCTION_TIMEOUT);

        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        assertEquals(1, upstream.requestCount());
        assertEquals(1, keyLookups.get());
    }

    @Test
    void onlyAnInvocationWithoutAnyDeadlineIsUnbounded() {
        FunctionEnvironment function = new FunctionEnvironment("f", "$LATEST", 1024, "g", "s");
        Context noHeader = new LambdaContext(invocation(0), function, System::currentTimeMillis);
        Context spent = new LambdaContext(invocation(System.currentTimeMillis() - 1), function, System::currentTimeMillis);
        Context inTime = new LambdaContext(invocation(System.currentTimeMillis() + 60_000), function,
                System::currentTimeMillis);

        assertEquals(Deadline.NONE, Deadline.of(noHeader, MARGIN_MS), "no deadline header: nothing to cut short");
        assertEquals(Deadline.NONE, Deadline.of(null, MARGIN_MS));
        assertTrue(Deadline.of(spent, MARGIN_MS).passed(), "a deadline 1 ms ago has passed");
        assertTrue(Deadline.of(spent, 0).passed(), "with no margin too");
        long left = Deadline.of(inTime, MARGIN_MS).millisLeft();
        assertTrue(left > 50_000 && left <= 58_000, "a minute minus the margin: " + left);
    }

    private static Invocation invocation(long deadlineEpochMs) {
        return new Invocation("r", deadlineEpochMs, "arn", null, null, null, null, null, new byte[0]);
    }

    private static void assertDeadlineExceeded(SingleEnvironment.Answer answer) {
        String body = new String(answer.body(), StandardCharsets.UTF_8);
        assertEquals(504, answer.status(), body);
        assertErrorBody(body, "deadline_exceeded");
        assertTrue(answer.end().succeeded(), "the relay's own answer, not a cut-off invocation");
        assertEquals(0, upstream.requestCount(), "nothing went upstream");
        assertEquals(0, keyLookups.get(), "no key was looked up");
    }
}

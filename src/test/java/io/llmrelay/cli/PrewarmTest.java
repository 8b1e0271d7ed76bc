package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The cold-start warm-up: bounded, quiet, and only ever started for a real runtime loop. */
class PrewarmTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void runsToTheEndQuicklyAndLeavesNoThreadBehind() {
        // Other tests in this JVM keep HTTP clients of their own: only threads that appear during
        // the warm-up are its own.
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            Prewarm.run();
        } finally {
            System.setErr(err);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8), "the warm-up prints nothing");
        // The throwaway HTTP client is closed: its selector thread is gone.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!newSelectorThreads(before).isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(List.of(), newSelectorThreads(before), "the throwaway HTTP client's selector thread stopped");
    }

    private static List<String> newSelectorThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t))
                .map(Thread::getName)
                .filter(name -> name.startsWith("HttpClient-") && name.contains("SelectorManager"))
                .toList();
    }

    @Test
    void finishesInsideInitWhereInitIsAheadOfRequests() {
        assertTrue(Prewarm.initAheadOfRequests(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")));
        assertTrue(Prewarm.initAheadOfRequests(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "provisioned-concurrency")));
        assertFalse(Prewarm.initAheadOfRequests(Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")));
        assertFalse(Prewarm.initAheadOfRequests(Map.of()));
    }

    @Test
    void lambdaWithoutARuntimeApiStartsNothing() {
        long before = prewarmThreads();
        PrintStream err = System.err;
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertEquals(2, Main.lambda(Map.of()));
        } finally {
            System.setErr(err);
        }
        assertEquals(before, prewarmThreads());
    }

    private static long prewarmThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("llm-relay-prewarm")).count();
    }
}

package io.llmrelay.stages;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Timestamps of one invocation along the relay's path, for the latency bench only
 * ({@code bench/run.sh latency} prints the table): off unless the JVM runs with
 * {@code -Dllmrelay.stages=true}. {@link #ON} is a static final read once at class
 * initialisation, so every call site is written {@code if (Stages.ON) Stages.mark(...)} and, when
 * it is off, C1 and C2 compile the branch away: the production path pays nothing.
 *
 * <p>Invariant: every stage of one invocation is marked on the thread that runs it, which is the
 * runtime loop's: {@code next}, the handler, the upstream call (the JDK client's {@code send}
 * blocks the caller) and the writes to the Runtime API all run there. A mark made on another
 * thread (a hedge's contender) is lost, never misattributed, because {@link #begin()} clears the
 * loop thread's marks and only the loop thread reports them. Times are {@link System#nanoTime()}:
 * CLOCK_MONOTONIC on Linux, the same clock in the bench's process, so the bench lines them up with
 * its own.
 */
public final class Stages {
    /** Whether stages are recorded: {@code -Dllmrelay.stages=true}. */
    public static final boolean ON = Boolean.getBoolean("llmrelay.stages");

    /** The line's first word, which the bench looks for. */
    public static final String LINE = "relay-stages";

    /** In the order an invocation passes them; each keeps its first time only. */
    public enum Stage {
        /** The runtime loop's {@code next} returned the invocation. */
        NEXT("next"),
        /** The relay's handler began (the Function URL event parsed). */
        HANDLER("handler"),
        /** The upstream request was handed to the HTTP client. */
        SENT("sent"),
        /** The HTTP client returned the upstream's response head. */
        HEAD("head"),
        /** The first upstream event was read whole. */
        EVENT("event"),
        /** The first chunk to the caller was written and flushed to the Runtime API. */
        WRITTEN("written");

        private final String key;

        Stage(String key) {
            this.key = key;
        }
    }

    private static final Stage[] STAGES = Stage.values();
    /** Per stage its wall time, then (at {@code STAGES.length + ordinal}) the thread's CPU time; the last slot is {@link #polling()}'s CPU time. */
    private static final ThreadLocal<long[]> MARKS = ThreadLocal.withInitial(() -> new long[2 * STAGES.length + 1]);
    private static final int POLLING = 2 * STAGES.length;
    /**
     * The thread's CPU clock beside the wall clock: a span whose CPU time is near its wall time was
     * work; the rest of it was waiting (for a peer, or for a core). Loaded only when stages are on,
     * so java.management stays out of the production path.
     */
    private static final ThreadMXBean CPU = ON ? ManagementFactory.getThreadMXBean() : null;

    private Stages() {}

    /** A new invocation on this thread: forgets the last one's marks and marks {@link Stage#NEXT}. */
    public static void begin() {
        long[] marks = MARKS.get();
        long polling = marks[POLLING];
        java.util.Arrays.fill(marks, 0);
        marks[POLLING] = polling;
        marks[Stage.NEXT.ordinal()] = System.nanoTime();
        marks[STAGES.length + Stage.NEXT.ordinal()] = CPU.getCurrentThreadCpuTime();
    }

    /**
     * The loop is about to call {@code next}: its CPU time now, so that the CPU the call spends
     * reading and parsing the reply is known ({@code cpu_polling}); the wait in between costs none.
     */
    public static void polling() {
        MARKS.get()[POLLING] = CPU.getCurrentThreadCpuTime();
    }

    /** Marks {@code stage} now unless it was marked already for this thread's invocation. */
    public static void mark(Stage stage) {
        long[] marks = MARKS.get();
        if (marks[stage.ordinal()] == 0) {
            marks[stage.ordinal()] = System.nanoTime();
            marks[STAGES.length + stage.ordinal()] = CPU.getCurrentThreadCpuTime();
        }
    }

    /**
     * One line with this thread's marks for invocation {@code requestId}:
     * {@code relay-stages <id> next=<ns> ... cpu_polling=<ns> cpu_next=<ns> ...}, wall times then
     * the thread's CPU times at the same marks.
     */
    public static void report(String requestId, PrintStream out) {
        long[] marks = MARKS.get();
        StringBuilder line = new StringBuilder(160).append(LINE).append(' ').append(requestId);
        for (Stage stage : STAGES) {
            if (marks[stage.ordinal()] != 0) {
                line.append(' ').append(stage.key).append('=').append(marks[stage.ordinal()]);
            }
        }
        if (marks[POLLING] != 0) {
            line.append(" cpu_polling=").append(marks[POLLING]);
        }
        for (Stage stage : STAGES) {
            if (marks[stage.ordinal()] != 0) {
                line.append(" cpu_").append(stage.key).append('=').append(marks[STAGES.length + stage.ordinal()]);
            }
        }
        out.println(line);
    }

    /** serve's own line for an invocation: when its frontend took the request, and when a {@code next} took the invocation. */
    public static void reportFrontend(String requestId, long frontendNanos, long deliveredNanos, PrintStream out) {
        out.println(LINE + " " + requestId + " frontend=" + frontendNanos + " delivered=" + deliveredNanos);
    }
}

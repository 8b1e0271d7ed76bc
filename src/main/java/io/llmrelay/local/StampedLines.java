package io.llmrelay.local;

import java.io.PrintStream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;

/**
 * serve's event lines, each beginning with the local time to the millisecond
 * ({@code 2026-05-04 13:07:42.316 serve: ...}): what serve says while it runs and what its runtime
 * loops say. Each {@link #println(String)} is one line, written with one call on the stream
 * underneath, so lines from several threads (and the request log's lines, which go to that stream
 * directly) never interleave.
 *
 * <p>Only these lines are stamped. The request log's JSON lines are written as on Lambda, where
 * CloudWatch stamps every line it receives (and a stamp would make them something other than
 * JSON); on Lambda the runtime loop's lines go to stdout unstamped for the same reason.
 */
final class StampedLines extends PrintStream {
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private final PrintStream target;
    private final Supplier<LocalDateTime> clock;

    StampedLines(PrintStream target) {
        this(target, LocalDateTime::now);
    }

    StampedLines(PrintStream target, Supplier<LocalDateTime> clock) {
        super(target, true);
        this.target = target;
        this.clock = clock;
    }

    /** Stamps {@code out}, unless it already is a stream of stamped lines. */
    static PrintStream of(PrintStream out) {
        return out instanceof StampedLines ? out : new StampedLines(out);
    }

    @Override
    public void println(String line) {
        target.println(FORMAT.format(clock.get()) + " " + line);
    }

    @Override
    public void println(Object line) {
        println(String.valueOf(line));
    }
}

package io.llmrelay.local;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * The runtime loops' log in serve: serve's own log until serve starts stopping, then silence.
 * A loop ends when its Runtime API goes away, which is exactly what stopping serve does, and says
 * so ("next failed, stopping: ..."); on Lambda that line means something, in a stopping serve it
 * is one line of noise per environment.
 */
final class QuietAfterStop extends PrintStream {
    private final PrintStream target;
    private final BooleanSupplier stopping;

    QuietAfterStop(PrintStream target, BooleanSupplier stopping) {
        super(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        this.target = target;
        this.stopping = stopping;
    }

    /** Whole lines go to the target in one call, so lines of concurrent environments never mix. */
    @Override
    public void println(String line) {
        if (!stopping.getAsBoolean()) {
            target.println(line);
        }
    }

    @Override
    public void println(Object value) {
        println(String.valueOf(value));
    }

    @Override
    public void print(String text) {
        if (!stopping.getAsBoolean()) {
            target.print(text);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
        if (!stopping.getAsBoolean()) {
            target.write(bytes, offset, length);
        }
    }

    @Override
    public void write(int b) {
        if (!stopping.getAsBoolean()) {
            target.write(b);
        }
    }

    @Override
    public void flush() {
        target.flush();
    }
}

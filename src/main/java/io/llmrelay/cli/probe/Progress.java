package io.llmrelay.cli.probe;

import java.io.PrintStream;

/**
 * The line on standard error that says how far the probe is. On a terminal it is rewritten in
 * place and cleared at the end; elsewhere (a log, a pipe) each finished request adds one line.
 */
final class Progress {
    private final PrintStream err;
    private final boolean inPlace;
    private final int total;
    private int running;
    private int finished;
    private int failed;

    Progress(PrintStream err, boolean inPlace, int total) {
        this.err = err;
        this.inPlace = inPlace;
        this.total = total;
    }

    synchronized void started() {
        running++;
        if (inPlace) {
            show("");
        }
    }

    synchronized void finished(Outcome outcome) {
        running--;
        finished++;
        failed += outcome.ok() ? 0 : 1;
        show("  (last: " + outcome.side() + " #" + outcome.number() + (outcome.ok() ? " ok" : " failed") + ")");
    }

    /** Clears the in-place line, so the report starts on a clean one. */
    synchronized void close() {
        if (inPlace) {
            err.print("\r\033[K");
            err.flush();
        }
    }

    private void show(String last) {
        String line = "probe: " + finished + "/" + total + " done, " + running + " running, " + failed + " failed" + last;
        if (inPlace) {
            err.print("\r\033[K" + line);
        } else {
            err.println(line);
        }
        err.flush();
    }
}

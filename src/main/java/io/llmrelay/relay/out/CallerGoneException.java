package io.llmrelay.relay.out;

import java.io.IOException;

/** A write to the caller failed: the caller has gone, and nobody is left to tell. */
public final class CallerGoneException extends IOException {
    CallerGoneException(IOException cause) {
        super("the caller went away: " + cause.getMessage(), cause);
    }
}

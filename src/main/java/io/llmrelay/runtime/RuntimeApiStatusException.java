package io.llmrelay.runtime;

import java.io.IOException;

/**
 * The Runtime API read the request and answered it with a status other than the call's success
 * status (200 for {@code next}, 202 for the others). The reply was read whole, so the connection
 * stays usable.
 */
public final class RuntimeApiStatusException extends IOException {
    private final String call;
    private final int status;

    RuntimeApiStatusException(String call, int status, String body) {
        super("Runtime API answered " + status + " to " + call + (body.isEmpty() ? "" : ": " + body));
        this.call = call;
        this.status = status;
    }

    /** {@code next}, {@code response}, {@code error} or {@code init/error}. */
    public String call() {
        return call;
    }

    public int status() {
        return status;
    }
}

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

    /**
     * A 5xx: the Runtime API's specification says of 500 "Container error. Non-recoverable state.
     * Runtime should exit promptly." (runtime-api.zip, OpenAPI 2018-06-01, linked from
     * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html); we read every 5xx so.
     */
    public boolean nonRecoverable() {
        return status >= 500;
    }
}

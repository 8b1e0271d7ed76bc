package io.llmrelay.local;

import io.llmrelay.openai.OpenAiError;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.UUID;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * serve's limit on invocations: {@code --concurrency} run at once (one per execution
 * environment, or {@code --invocations-per-environment} each), up to {@code --queue} more wait for an environment, and any beyond those are
 * refused at once with 429 and {@code retry-after}, as Lambda refuses a synchronous invocation
 * beyond the function's concurrency: 429 {@code TooManyRequestsException}, whose
 * {@code retryAfterSeconds} says when to try again
 * (https://docs.aws.amazon.com/botocore/latest/reference/services/lambda/client/exceptions/TooManyRequestsException.html;
 * what a Function URL's throttled answer holds beyond the status is not documented). Lambda queues
 * none; {@code --queue 0} behaves so.
 *
 * <p>The body is OpenAI's shape rather than Lambda's ({@code {"Reason","Type","message"}}): the
 * callers are OpenAI clients, which read {@code error.message}, and whose retries (the official
 * SDKs retry a 429, waiting as {@code retry-after} says) need only the status and that header. The
 * type and code are those of OpenAI's own rate-limit errors ({@code requests},
 * {@code rate_limit_exceeded}).
 */
final class Throttle {
    /** Seconds a throttled caller is told to wait: a streamed answer takes seconds, not minutes. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final int concurrency;
    private final int perEnvironment;
    private final int queue;
    private final PrintStream log;

    /**
     * @param concurrency    the environments ({@code --concurrency})
     * @param perEnvironment the invocations each runs at once ({@code --invocations-per-environment})
     * @param log            where the one line per refused invocation goes
     */
    Throttle(int concurrency, int perEnvironment, int queue, PrintStream log) {
        this.concurrency = concurrency;
        this.perEnvironment = perEnvironment;
        this.queue = queue;
        this.log = log;
    }

    /** How many invocations may be held at once: running and waiting. */
    int maxInFlight() {
        return running() + queue;
    }

    private int running() {
        return concurrency * perEnvironment;
    }

    private String runningOptions() {
        return "--concurrency " + concurrency + (perEnvironment > 1 ? " x --invocations-per-environment " + perEnvironment : "");
    }

    OpenAiError error() {
        return new OpenAiError(429, "serve is at its limit: " + running() + " invocation(s) running ("
                + runningOptions() + ") and " + queue + " waiting (--queue " + queue + "). Retry in "
                + RETRY_AFTER_SECONDS + " s, or start serve with a higher --concurrency or --queue.",
                "requests", null, "rate_limit_exceeded");
    }

    /** The 429, and one line saying so. */
    boolean refuse(Response response, Callback callback) {
        String requestId = UUID.randomUUID().toString();
        log.println("serve: invocation " + requestId + " refused with 429: serve already holds " + maxInFlight()
                + " (" + runningOptions() + " running, --queue " + queue + " waiting)");
        response.setStatus(429);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.RETRY_AFTER, RETRY_AFTER_SECONDS);
        response.getHeaders().put("x-request-id", requestId);
        response.write(true, ByteBuffer.wrap(error().toJson()), callback);
        return true;
    }
}

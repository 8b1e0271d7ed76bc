package io.llmrelay.relay;

import io.llmrelay.openai.SseEvent;
import io.llmrelay.openai.SseReader;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;

/**
 * An upstream SSE body read event by event, every wait bounded twice: by the route's idle
 * timeout (per event) and by the invocation's deadline (for the whole stream). Either one
 * aborts the exchange, which turns the blocked read into a {@link ReadFailure} saying which.
 */
final class UpstreamEvents implements AutoCloseable {
    private final UpstreamResponse answer;
    private final SseReader reader;
    private final IdleWatchdog idle;
    private final Deadline.Watch deadline;

    UpstreamEvents(UpstreamResponse answer, long idleTimeoutMs, Deadline deadline) {
        this.answer = answer;
        this.reader = new SseReader(answer.body());
        this.idle = new IdleWatchdog(idleTimeoutMs, answer::close);
        this.deadline = deadline.watch(answer::close);
    }

    /** The next event, or null at the end of the stream. */
    SseEvent next() throws ReadFailure {
        try {
            idle.arm();
            return reader.next();
        } catch (IOException e) {
            throw new ReadFailure(deadline.fired() ? ReadFailure.Cause.DEADLINE
                    : idle.fired() ? ReadFailure.Cause.IDLE : ReadFailure.Cause.BROKEN, e);
        } finally {
            idle.disarm();
        }
    }

    /** Abandons the exchange: closing is what stops the upstream generating (and billing) tokens. */
    @Override
    public void close() {
        deadline.close();
        idle.disarm();
        answer.close();
    }
}

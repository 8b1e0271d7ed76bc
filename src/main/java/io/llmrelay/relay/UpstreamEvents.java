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

    /**
     * The next event, or null at the end of the stream. An event whose data is empty ({@code data:}
     * with nothing after it) is skipped: it carries no chunk, and relaying it as one would end a
     * good stream with "not JSON". The SSE reader dispatches it, as the WHATWG "dispatch the event"
     * steps do (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage:
     * step 2 drops only an event whose data buffer is empty, and {@code data:} has put an LF in it,
     * which step 3 then removes), so skipping it is the relay's decision, made here.
     */
    SseEvent next() throws ReadFailure {
        try {
            SseEvent event;
            do {
                idle.arm();
                event = reader.next();
            } while (event != null && event.data().isEmpty());
            return event;
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

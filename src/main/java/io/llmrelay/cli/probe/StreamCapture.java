package io.llmrelay.cli.probe;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Flow;

/**
 * Receives one response body as the HTTP client reads it off the connection and timestamps it
 * there: each SSE event gets the {@link System#nanoTime()} of the delivery that held its last byte,
 * before any parsing of its JSON (that waits until the stream is over), so a slow consumer cannot
 * make events look bunched. A body that is not an event stream (an error, a non-streamed answer)
 * is kept, up to {@value #MAX_KEPT_BODY} bytes, for its message.
 */
final class StreamCapture implements Flow.Subscriber<List<ByteBuffer>> {
    static final int MAX_KEPT_BODY = 64 * 1024;
    static final int MAX_EVENT_BYTES = 8 * 1024 * 1024;

    /** One event as it arrived, JSON not yet looked at. */
    record RawEvent(String data, long arrivedNanos) {}

    private final long headersNanos;
    private final int status;
    private final String contentType;
    private final boolean eventStream;
    private final List<RawEvent> events = new ArrayList<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final SseSplitter splitter;
    private volatile Flow.Subscription subscription;
    private volatile long endNanos;
    private volatile String failure;
    private volatile boolean cancelled;

    StreamCapture(HttpResponse.ResponseInfo info, long headersNanos) {
        this.headersNanos = headersNanos;
        this.status = info.statusCode();
        this.contentType = info.headers().firstValue("content-type").orElse("");
        this.eventStream = status == 200 && contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream");
        this.splitter = new SseSplitter(MAX_EVENT_BYTES, (data, nanos) -> events.add(new RawEvent(data, nanos)));
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        long now = System.nanoTime();
        try {
            synchronized (this) {
                for (ByteBuffer buffer : buffers) {
                    if (eventStream) {
                        splitter.feed(buffer, now);
                    } else {
                        keep(buffer);
                    }
                }
            }
        } catch (SseSplitter.TooLarge e) {
            failure = e.getMessage();
            endNanos = now;
            subscription.cancel();
        }
    }

    private void keep(ByteBuffer buffer) {
        int room = MAX_KEPT_BODY - body.size();
        int n = Math.min(room, buffer.remaining());
        if (n > 0) {
            byte[] bytes = new byte[n];
            buffer.get(bytes);
            body.write(bytes, 0, n);
        }
        buffer.position(buffer.limit());
    }

    /** A body that broke off ended when it broke; one the probe gave up on (a timeout) never ended. */
    @Override
    public void onError(Throwable t) {
        if (endNanos == 0 && !cancelled) {
            endNanos = System.nanoTime();
        }
    }

    @Override
    public void onComplete() {
        if (!cancelled) {
            endNanos = System.nanoTime();
        }
    }

    /** Stops reading (a timeout): the connection is closed, and the body has no end time. */
    void cancel() {
        cancelled = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    long headersNanos() {
        return headersNanos;
    }

    int status() {
        return status;
    }

    String contentType() {
        return contentType;
    }

    boolean eventStream() {
        return eventStream;
    }

    /** The end of the body, or 0 while it is still coming. */
    long endNanos() {
        return endNanos;
    }

    /** Set when the body itself was refused (an oversized event). */
    String failure() {
        return failure;
    }

    synchronized List<RawEvent> events() {
        return List.copyOf(events);
    }

    synchronized boolean endedMidEvent() {
        return eventStream && splitter.midEvent();
    }

    synchronized byte[] body() {
        return body.toByteArray();
    }
}

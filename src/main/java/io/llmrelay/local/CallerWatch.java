package io.llmrelay.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices that the caller of one request hung up while its answer is still being worked on.
 *
 * <p>Jetty's HTTP/1.1 connection does not read from the socket while a request is being handled
 * (once its body is read), so a caller's reset or close shows only when a write to it fails,
 * which for a streamed answer is at the next chunk, or never if none comes. This watch asks Jetty
 * to report when the connection becomes readable and reads it: end of stream or a reset means the
 * caller is gone. A caller that sends its next request before this answer ends (pipelining) gets
 * those bytes handed back to the connection, which reads them once this exchange completes.
 *
 * <p>{@link #stop()} must be called before the exchange completes: Jetty refuses to complete an
 * exchange while a read is pending on its connection.
 */
final class CallerWatch implements Callback {
    private static final int PIPELINED_BYTES = 8 * 1024;

    private final EndPoint endPoint;
    private final Connection connection;
    private boolean stopped;
    private boolean gone;
    private boolean armed;
    private Runnable onGone;
    private ByteBuffer pipelined;

    private CallerWatch(EndPoint endPoint, Connection connection) {
        this.endPoint = endPoint;
        this.connection = connection;
    }

    /** Starts watching the connection of {@code request}; call once its body has been read. */
    static CallerWatch start(Request request) {
        Connection connection = request.getConnectionMetaData().getConnection();
        CallerWatch watch = new CallerWatch(connection.getEndPoint(), connection);
        synchronized (watch) {
            watch.arm();
        }
        return watch;
    }

    /** Runs {@code action} once when the caller hangs up (at once if it already has). */
    void whenGone(Runnable action) {
        synchronized (this) {
            if (!gone) {
                onGone = action;
                return;
            }
        }
        action.run();
    }

    synchronized boolean gone() {
        return gone;
    }

    /** Stops watching, handing back any bytes of a pipelined request. Idempotent. */
    void stop() {
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            if (armed && endPoint instanceof AbstractEndPoint abstractEndPoint) {
                // Withdraws the pending read; this watch's failed() sees stopped and does nothing.
                abstractEndPoint.getFillInterest().onFail(new CancellationException("the exchange is complete"));
            }
            armed = false;
            if (pipelined != null && connection instanceof Connection.UpgradeTo upgradeTo) {
                upgradeTo.onUpgradeTo(pipelined);
            }
            pipelined = null;
        }
    }

    /** The connection became readable: data, the end of the stream, or an error. */
    @Override
    public void succeeded() {
        Runnable notify;
        synchronized (this) {
            armed = false;
            if (stopped) {
                return;
            }
            ByteBuffer buffer = BufferUtil.allocate(PIPELINED_BYTES);
            int read;
            try {
                read = endPoint.fill(buffer);
            } catch (IOException reset) {
                read = -1;
            }
            if (read > 0) {
                pipelined = buffer; // the caller's next request: kept for the connection, watching ends
                return;
            }
            if (read == 0) {
                arm();
                return;
            }
            notify = hangUp();
        }
        if (notify != null) {
            notify.run();
        }
    }

    @Override
    public void failed(Throwable cause) {
        Runnable notify;
        synchronized (this) {
            armed = false;
            if (stopped) {
                return;
            }
            notify = hangUp();
        }
        if (notify != null) {
            notify.run();
        }
    }

    private Runnable hangUp() {
        gone = true;
        Runnable notify = onGone;
        onGone = null;
        return notify;
    }

    /** Asks for a callback when the connection is readable; declines if something else reads it. */
    private void arm() {
        armed = endPoint.tryFillInterested(this);
    }
}

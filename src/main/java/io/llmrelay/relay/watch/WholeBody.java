package io.llmrelay.relay.watch;

import io.llmrelay.upstream.UpstreamResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a whole upstream body (a non-streaming answer, an error body) up to a size, each read
 * bounded by the idle timeout and all of it by the deadline: the JDK's client would otherwise
 * wait forever for a body that stalls after its head.
 */
public final class WholeBody {
    private WholeBody() {}

    /** The body went on past the size the relay holds: relaying the part read would pass a cut answer off as whole. */
    public static final class TooLarge extends Exception {
        TooLarge(int maxBytes) {
            super("larger than " + maxBytes + " bytes", null, false, false);
        }
    }

    /** At most {@code maxBytes}; what lies beyond is left unread (and dropped when the answer is closed). */
    public static byte[] read(UpstreamResponse answer, int maxBytes, long idleTimeoutMs, Deadline deadline)
            throws ReadFailure {
        return readUpTo(answer, maxBytes, idleTimeoutMs, deadline);
    }

    /**
     * The whole body, which must end within {@code maxBytes}: one more byte after the limit is
     * {@link TooLarge}, never a silently truncated answer.
     *
     * @param maxBytes below {@code Integer.MAX_VALUE}: one byte past it is read to tell
     */
    public static byte[] readComplete(UpstreamResponse answer, int maxBytes, long idleTimeoutMs, Deadline deadline)
            throws ReadFailure, TooLarge {
        byte[] body = readUpTo(answer, maxBytes + 1, idleTimeoutMs, deadline);
        if (body.length > maxBytes) {
            throw new TooLarge(maxBytes);
        }
        return body;
    }

    private static byte[] readUpTo(UpstreamResponse answer, int maxBytes, long idleTimeoutMs, Deadline deadline)
            throws ReadFailure {
        try (IdleWatchdog idle = new IdleWatchdog(idleTimeoutMs, answer::close);
                Deadline.Watch watch = deadline.watch(answer::close)) {
            InputStream in = answer.body();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
            byte[] buffer = new byte[8192];
            try {
                while (out.size() < maxBytes) {
                    idle.arm();
                    int n = in.read(buffer, 0, Math.min(buffer.length, maxBytes - out.size()));
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                throw new ReadFailure(watch.fired() ? ReadFailure.Cause.DEADLINE
                        : idle.fired() ? ReadFailure.Cause.IDLE : ReadFailure.Cause.BROKEN, e);
            } finally {
                idle.disarm();
            }
            return out.toByteArray();
        }
    }
}

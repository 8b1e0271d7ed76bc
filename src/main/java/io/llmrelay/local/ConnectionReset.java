package io.llmrelay.local;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import org.eclipse.jetty.io.EndPoint;

/**
 * Closes a connection with a TCP reset instead of an orderly close. After an orderly close the
 * peer's next write still succeeds (it only fills the socket buffer) and only a later one fails;
 * after a reset its very next write fails. That is how serve tells a function that its caller
 * went away: the function's next write to its response fails, as a write to a closed connection
 * does on Lambda when it is noticed at all.
 */
final class ConnectionReset {
    private ConnectionReset() {}

    /** A task that resets the connection of {@code endPoint}; running it more than once is harmless. */
    static Runnable of(EndPoint endPoint) {
        return () -> reset(endPoint);
    }

    static void reset(EndPoint endPoint) {
        if (endPoint.getTransport() instanceof NetworkChannel channel) {
            try {
                // SO_LINGER 0: close() sends RST and drops whatever is unsent.
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | UnsupportedOperationException e) {
                // already closed, or not a TCP socket: the orderly close below is all there is
            }
        }
        endPoint.close(new IOException("reset by serve: the invocation's caller is gone"));
    }
}

package io.llmrelay.local;

import java.io.IOException;
import java.nio.channels.SelectableChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.io.SelectorManager;

/**
 * Every connection a Jetty connector accepted and that is still open, so that its owner can close
 * what Jetty's own stop left open. A connection accepted while the server stops can be left
 * neither read nor closed, and its client then waits on it forever: RuntimeApiCloseTest saw such
 * sockets, accepted with their request unread, after {@code Server.stop()} had returned. Jetty
 * 12.1's {@code ManagedSelector} shows one way: its stop closes the connections it has, then the
 * selector, and a connection accepted between the two has no endpoint yet when the second step
 * looks (so it is skipped) and gets one afterwards on a selector that no longer runs.
 *
 * <p>Register it with {@code connector.addEventListener} on a connector with no acceptor threads
 * (acceptors 0): then every accept happens on the selector, and Jetty calls
 * {@link #onAccepting} for each before it does anything else with it, on the selector's thread, so
 * once the server has stopped (its selector stopped, which waits for that thread) every connection
 * it ever accepted has been seen here.
 */
final class AcceptedConnections implements SelectorManager.AcceptListener {
    private final Set<SelectableChannel> open = ConcurrentHashMap.newKeySet();

    @Override
    public void onAccepting(SelectableChannel channel) {
        open.removeIf(known -> !known.isOpen()); // keeps the set as small as the connections now open
        open.add(channel);
    }

    /** Closes every accepted connection still open; for after the server stopped. */
    void closeAll() {
        for (SelectableChannel channel : open) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the connection is being thrown away either way
            }
        }
        open.clear();
    }
}

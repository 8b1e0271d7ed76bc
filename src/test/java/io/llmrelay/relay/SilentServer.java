package io.llmrelay.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A server on 127.0.0.1 that accepts connections and then says nothing, ever: a service that has
 * hung. Every connection stays open until {@link #close()}.
 */
final class SilentServer implements AutoCloseable {
    private final ServerSocket socket;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final CountDownLatch firstConnection = new CountDownLatch(1);

    private SilentServer(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::accept, "silent-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static SilentServer start() throws IOException {
        return new SilentServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }

    /** Whether a client connected within {@code seconds}. */
    boolean awaitConnection(long seconds) throws InterruptedException {
        return firstConnection.await(seconds, TimeUnit.SECONDS);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                connections.add(socket.accept());
                firstConnection.countDown();
            } catch (IOException closed) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket connection : connections) {
            connection.close();
        }
    }
}

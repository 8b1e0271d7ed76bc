package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmrelay.runtime.LambdaMain;
import io.llmrelay.runtime.RuntimeApiClient;
import java.io.IOException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Closing the in-process Runtime API leaves no runtime waiting on it: a runtime that connects
 * while it closes (a runtime loop whose connection was cut asks for {@code next} again at once, on
 * a new connection) is answered, refused or cut off, never accepted and then left without a word.
 *
 * <p>The runtimes here reconnect as fast as they can from the moment the API starts closing, so
 * that new connections arrive throughout its close, in particular while its connector stops. Two
 * ways a connection got lost there, each of which alone failed this test in 3 runs of 3: a blocking
 * acceptor thread interrupted by the connector's stop just as its accept returned a connection
 * (the JDK throws ClosedByInterruptException and the accepted socket stays open, unreferenced),
 * and, with the accepts moved onto the selector, a connection accepted as the server stopped and
 * left unread and open by Jetty's stop ({@link AcceptedConnections}). The first is how
 * MultiConcurrencyTest's runtime loop, reconnecting after the stop cut its response, was left
 * waiting now and then.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RuntimeApiCloseTest {
    private static final int RUNTIMES = 4;
    private static final int ROUNDS = 10;

    /** A runtime that asks for {@code next} on a new connection, again and again, until it is refused. */
    private static final class Reconnecting implements Runnable {
        private final String address;
        private final AtomicInteger connections = new AtomicInteger();
        private volatile RuntimeApiClient current;

        Reconnecting(String address) {
            this.address = address;
        }

        @Override
        public void run() {
            while (true) {
                RuntimeApiClient client = new RuntimeApiClient(address, LambdaMain.USER_AGENT);
                current = client;
                connections.incrementAndGet();
                try {
                    client.next(); // no invocation is ever queued: this ends only by a refusal or a cut
                } catch (ConnectException refused) {
                    return; // the API is gone
                } catch (IOException answeredOrCut) {
                    // a 500 "shutting down" or a cut connection: ask again, as fast as possible
                } finally {
                    client.close();
                }
            }
        }

        /** Breaks off the connection this runtime waits on, if any (after the test has its verdict). */
        void release() {
            RuntimeApiClient client = current;
            if (client != null) {
                client.close();
            }
        }
    }

    @Test
    void runtimesThatReconnectWhileTheApiClosesAreNeverLeftWaiting() throws Exception {
        for (int round = 1; round <= ROUNDS; round++) {
            LocalRuntimeApi api = LocalRuntimeApi.start();
            List<Reconnecting> runtimes = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < RUNTIMES; i++) {
                Reconnecting runtime = new Reconnecting(api.address());
                Thread thread = new Thread(runtime, "reconnecting-runtime-" + i);
                thread.setDaemon(true);
                runtimes.add(runtime);
                threads.add(thread);
                thread.start();
            }
            while (api.idleEnvironments() < RUNTIMES) {
                Thread.sleep(1);
            }
            api.close();
            // Once close() has returned, a runtime still waiting waits on a connection that the
            // closed API neither answers nor closes: it would wait forever.
            List<String> leftWaiting = new ArrayList<>();
            for (int i = 0; i < RUNTIMES; i++) {
                threads.get(i).join(10_000);
                if (threads.get(i).isAlive()) {
                    leftWaiting.add(threads.get(i).getName() + " after " + runtimes.get(i).connections.get()
                            + " connections");
                }
            }
            runtimes.forEach(Reconnecting::release);
            assertEquals(List.of(), leftWaiting, "round " + round + ": runtimes left waiting on the closed Runtime API");
        }
    }
}

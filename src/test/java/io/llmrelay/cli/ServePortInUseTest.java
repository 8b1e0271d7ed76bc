package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code serve --port N} where something already listens on N: the first and only thing serve says
 * is that the port is in use (no runtime loop line before it: serve takes the port before it
 * starts any environment), and it exits non-zero.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServePortInUseTest {

    @Test
    void aBusyPortIsTheFirstAndOnlyThingSaidAndTheExitIsNonZero() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = taken.getLocalPort();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();

            int exit = ServeCommand.run(new String[] {"--port", Integer.toString(port)}, Map.of(),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

            assertEquals(1, exit);
            assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing on standard output");
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, lines.size(), "one line: " + lines);
            assertTrue(lines.get(0).startsWith("serve: port " + port + " is in use on 127.0.0.1"), lines.get(0));
            assertTrue(lines.get(0).contains("--port"), "and what to do about it: " + lines.get(0));
        }
    }
}

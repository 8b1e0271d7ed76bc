package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** serve's event lines: the local time to the millisecond, then the line, each line whole. */
class StampedLinesTest {

    @Test
    void eachLineBeginsWithTheTime() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StampedLines lines = new StampedLines(target, () -> LocalDateTime.of(2026, 5, 4, 13, 7, 42, 316_000_000));

        lines.println("serve: invocation a refused with 429");
        lines.println((Object) "llm-relay runtime: next failed");
        target.println("{\"log\":\"request\"}");

        assertEquals("2026-05-04 13:07:42.316 serve: invocation a refused with 429\n"
                + "2026-05-04 13:07:42.316 llm-relay runtime: next failed\n"
                + "{\"log\":\"request\"}\n", bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
        assertSame(lines, StampedLines.of(lines), "stamped once, not twice");
    }

    @Test
    void linesFromManyThreadsStayWholeBesideUnstampedOnes() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream target = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        PrintStream lines = StampedLines.of(target);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        if (thread == 0) {
                            target.println("{\"log\":\"request\",\"i\":" + i + "}");
                        } else {
                            lines.println("serve: line " + thread + "-" + i);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdownNow();
        }
        List<String> written = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(800, written.size());
        for (String line : written) {
            if (!line.matches("\\{\"log\":\"request\",\"i\":\\d+\\}")) {
                assertEquals(true, line.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} serve: line \\d-\\d+"), line);
            }
        }
    }
}

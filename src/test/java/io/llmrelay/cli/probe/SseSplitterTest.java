package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The push splitter against the relay's own pull reader ({@link SseReader}, itself tested against
 * the WHATWG rules) as the oracle: generated streams (LF, CRLF and CR line ends, comments, other
 * fields, multi-line data, a BOM, UTF-8 text) cut into reads at random places give the same events,
 * and each event is stamped with the time of the read that held its last byte.
 */
class SseSplitterTest {

    record Stamped(String data, long nanos) {}

    @Test
    void anyCutIntoReadsGivesTheEventsTheRelaysReaderGives() throws IOException {
        Random random = new Random(7);
        for (int n = 0; n < 1500; n++) {
            byte[] stream = generate(random);
            List<String> expected = new ArrayList<>();
            try (SseReader reader = new SseReader(new ByteArrayInputStream(stream))) {
                for (SseEvent e = reader.next(); e != null; e = reader.next()) {
                    expected.add(e.data());
                }
            }
            List<Stamped> got = split(stream, cuts(random, stream.length));
            assertEquals(expected, got.stream().map(Stamped::data).toList(),
                    () -> "stream: " + new String(stream, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n"));
        }
    }

    @Test
    void eachEventIsStampedByTheReadThatHeldItsLastByte() {
        byte[] stream = "data: a\n\ndata: b\n\ndata: c\n".getBytes(StandardCharsets.US_ASCII);
        // reads: "data: a\n\nda" (t=0), "ta: b\n" (t=1), "\ndata: c\n" (t=2), then a final "\n" (t=3)
        List<Stamped> got = split(concat(stream, "\n".getBytes(StandardCharsets.US_ASCII)), new int[] {11, 17, 26});
        assertEquals(List.of(new Stamped("a", 0), new Stamped("b", 2), new Stamped("c", 3)), got);
    }

    @Test
    void aStreamCutInsideAnEventSaysSo() {
        List<Stamped> events = new ArrayList<>();
        SseSplitter splitter = new SseSplitter(1024, (d, t) -> events.add(new Stamped(d, t)));
        splitter.feed(ByteBuffer.wrap("data: [DONE]\n\ndata: {\"a\"".getBytes(StandardCharsets.US_ASCII)), 0);
        assertTrue(splitter.midEvent());
        assertEquals(1, events.size());
        splitter.feed(ByteBuffer.wrap(":\n\n".getBytes(StandardCharsets.US_ASCII)), 1);
        assertFalse(splitter.midEvent());
    }

    @Test
    void anOversizedEventIsRefused() {
        SseSplitter splitter = new SseSplitter(16, (d, t) -> { });
        assertThrows(SseSplitter.TooLarge.class,
                () -> splitter.feed(ByteBuffer.wrap("data: 0123456789abcdefghij\n\n".getBytes(StandardCharsets.US_ASCII)), 0));
    }

    /** Feeds {@code stream} cut at {@code cuts} (ascending offsets); read i is stamped i. */
    private static List<Stamped> split(byte[] stream, int[] cuts) {
        List<Stamped> events = new ArrayList<>();
        SseSplitter splitter = new SseSplitter(1 << 20, (d, t) -> events.add(new Stamped(d, t)));
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : stream.length;
            splitter.feed(ByteBuffer.wrap(stream, from, to - from), i);
            from = to;
        }
        return events;
    }

    private static int[] cuts(Random random, int length) {
        return random.ints(random.nextInt(Math.max(1, length / 2)), 0, length + 1).sorted().toArray();
    }

    private static byte[] generate(Random random) {
        String[] ends = {"\n", "\r\n", "\r"};
        String[] values = {"{\"choices\":[{\"delta\":{\"content\":\"héllo 🙂\"}}]}", "[DONE]", "", " two spaces", "x:y", "{}"};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (random.nextInt(8) == 0) {
            out.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
        }
        for (int lines = random.nextInt(14); lines > 0; lines--) {
            String end = ends[random.nextInt(ends.length)];
            String value = values[random.nextInt(values.length)];
            String line = switch (random.nextInt(7)) {
                case 0 -> ": keep-alive";
                case 1 -> "event: message";
                case 2 -> "id: 7";
                case 3 -> "data";
                case 4 -> "";
                case 5 -> "data:" + value;
                default -> "data: " + value;
            };
            out.writeBytes((line + end).getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

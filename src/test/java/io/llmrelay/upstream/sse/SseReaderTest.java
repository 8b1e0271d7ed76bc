package io.llmrelay.upstream.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** Every rule at once: BOM, all three line ends, comments, retry, multi-line data, split-prone UTF-8. */
    private static final byte[] RICH = concat(BOM, utf8(
            ": a comment\r\n"
            + "retry: 1000\n"
            + "event: greeting\r"
            + "id: 42\r\n"
            + "data: héllo €\n"
            + "data:  two spaces\r"
            + "data:no-space\n"
            + "\r\n"
            + "data\n"
            + "unknown: ignored\n"
            + "data: 😀 end\n"
            + "\n"
            + ": keep-alive\n\n"
            + "data: [DONE]\r\r"
            + "data: truncated by the end of the stream"));

    private static final List<SseEvent> RICH_EVENTS = List.of(
            new SseEvent("greeting", "héllo €\n two spaces\nno-space", "42"),
            new SseEvent(null, "\n😀 end", "42"),
            new SseEvent(null, "[DONE]", "42"));

    @Test
    void readsEveryRuleInOneRead() throws IOException {
        assertEquals(RICH_EVENTS, readAll(new ByteArrayInputStream(RICH)));
    }

    @Test
    void readsTheSameEventsWhateverSinglePointTheStreamIsSplitAt() throws IOException {
        for (int cut = 1; cut < RICH.length; cut++) {
            assertEquals(RICH_EVENTS, readAll(new ScriptedInputStream(RICH, cut)), "split at " + cut);
        }
    }

    @Test
    void readsTheSameEventsWhateverTwoPointsTheStreamIsSplitAt() throws IOException {
        for (int a = 1; a < RICH.length; a++) {
            for (int b = a + 1; b < RICH.length; b++) {
                assertEquals(RICH_EVENTS, readAll(new ScriptedInputStream(RICH, a, b)), "split at " + a + ", " + b);
            }
        }
    }

    @Test
    void readsTheSameEventsOneByteAtATimeWithoutSingleByteReads() throws IOException {
        ScriptedInputStream in = ScriptedInputStream.bytewise(RICH);
        assertEquals(RICH_EVENTS, readAll(in));
        assertEquals(0, in.singleByteReads, "the reader must read blocks, not call read() per byte");
    }

    @Test
    void aCrEndingOneReadAndAnLfStartingTheNextAreOneLineEnd() throws IOException {
        byte[] stream = utf8("data: a\r\ndata: b\r\n\r\n");
        // Were the CR and LF two line ends, the empty line between them would dispatch "a" alone.
        assertEquals(List.of(new SseEvent(null, "a\nb", null)), readAll(new ScriptedInputStream(stream, 8)));
    }

    @Test
    void crAloneEndsLines() throws IOException {
        assertEquals(List.of(new SseEvent(null, "a", null), new SseEvent(null, "b", null)),
                readAll(new ByteArrayInputStream(utf8("data: a\r\rdata: b\r\r"))));
    }

    @Test
    void dropsAnEventTheStreamEndsInsideOf() throws IOException {
        assertEquals(List.of(new SseEvent(null, "a", null)), readAll(new ByteArrayInputStream(utf8("data: a\n\ndata: b\n"))));
        assertEquals(List.of(), readAll(new ByteArrayInputStream(utf8("data: a"))));
    }

    @Test
    void doesNotDispatchAnEventWithoutDataAndForgetsItsType() throws IOException {
        assertEquals(List.of(new SseEvent(null, "y", null)),
                readAll(new ByteArrayInputStream(utf8("event: ping\n\ndata: y\n\n"))));
    }

    @Test
    void aFieldWithoutColonOrValueIsAnEmptyValue() throws IOException {
        assertEquals(List.of(new SseEvent(null, "", null), new SseEvent(null, "", null)),
                readAll(new ByteArrayInputStream(utf8("data\n\ndata:\n\n"))));
    }

    @Test
    void removesOnlyOneLeadingSpace() throws IOException {
        assertEquals(List.of(new SseEvent(null, "  x ", null)),
                readAll(new ByteArrayInputStream(utf8("data:   x \n\n"))));
    }

    @Test
    void theLastIdPersistsAndAnIdWithNulIsIgnored() throws IOException {
        assertEquals(List.of(new SseEvent(null, "a", "1"), new SseEvent(null, "b", "1"), new SseEvent(null, "c", "")),
                readAll(new ByteArrayInputStream(utf8("id: 1\ndata: a\n\nid: 2\u0000\ndata: b\n\nid\ndata: c\n\n"))));
    }

    @Test
    void keepsAByteOrderMarkThatIsNotAtTheStart() throws IOException {
        assertEquals(List.of(new SseEvent(null, "\uFEFFx", null)),
                readAll(new ByteArrayInputStream(utf8("data: \uFEFFx\n\n"))));
    }

    @Test
    void readsAStreamThatIsOnlyAByteOrderMarkOrEmpty() throws IOException {
        assertEquals(List.of(), readAll(new ByteArrayInputStream(BOM)));
        assertEquals(List.of(), readAll(new ByteArrayInputStream(new byte[0])));
    }

    @Test
    void keepsReturningNullAfterTheEnd() throws IOException {
        SseReader reader = new SseReader(new ByteArrayInputStream(utf8("data: a\n\n")));
        assertEquals("a", reader.next().data());
        assertNull(reader.next());
        assertNull(reader.next());
    }

    @Test
    void readsLinesLongerThanItsReadBlock() throws IOException {
        String big = "x".repeat(100_000) + "é";
        byte[] stream = utf8("data: " + big + "\ndata: " + big + "\n\n");
        assertEquals(List.of(new SseEvent(null, big + "\n" + big, null)),
                readAll(new ScriptedInputStream(stream, 3, 8191, 8192, 8193, 50_000, 100_006)));
    }

    @Test
    void refusesAnEventLargerThanTheLimit() {
        SseReader reader = new SseReader(new ByteArrayInputStream(utf8("data: " + "x".repeat(100) + "\n\n")), 64);
        IOException e = assertThrows(IOException.class, reader::next);
        assertTrue(e.getMessage().contains("64 bytes"), e.getMessage());
    }

    @Test
    void refusesManyDataLinesThatTogetherExceedTheLimit() {
        byte[] stream = utf8("data: 0123456789\n".repeat(20) + "\n");
        SseReader reader = new SseReader(ScriptedInputStream.bytewise(stream), 100);
        assertThrows(IOException.class, reader::next);
    }

    @Test
    void refusesAnOversizedLineThatNeverEnds() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };
        assertThrows(IOException.class, () -> new SseReader(endless, 1 << 20).next());
    }

    @Test
    void acceptsAnEventExactlyAtTheLimit() throws IOException {
        String data = "x".repeat(58);
        // The line "data: " + 58 bytes is 64 bytes: the most the limit allows.
        assertEquals(data, new SseReader(new ByteArrayInputStream(utf8("data: " + data + "\n\n")), 64).next().data());
    }

    @Test
    void recoversItsBufferAfterOneBigEventAndReadsOn() throws IOException {
        String big = "y".repeat(200_000);
        assertEquals(List.of(new SseEvent(null, big, null), new SseEvent(null, "small", null)),
                readAll(new ByteArrayInputStream(utf8("data: " + big + "\n\ndata: small\n\n"))));
    }

    static List<SseEvent> readAll(InputStream in) throws IOException {
        List<SseEvent> events = new ArrayList<>();
        SseReader reader = new SseReader(in);
        for (SseEvent e = reader.next(); e != null; e = reader.next()) {
            events.add(e);
        }
        return events;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}

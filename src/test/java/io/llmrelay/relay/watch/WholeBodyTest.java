package io.llmrelay.relay.watch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmrelay.upstream.UpstreamResponse;
import java.io.ByteArrayInputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The edges of a whole body's size limit: exactly the limit is a body, one byte more is too large. */
class WholeBodyTest {
    private static final int LIMIT = 10_000;

    @Test
    void aBodyOfExactlyTheLimitIsReadWhole() throws Exception {
        for (int size : new int[] {0, 1, 8191, 8192, 8193, LIMIT - 1, LIMIT}) {
            byte[] body = new byte[size];
            assertArrayEquals(body, WholeBody.readComplete(answer(body), LIMIT, 10_000, Deadline.NONE), "size " + size);
        }
    }

    @Test
    void oneByteOverTheLimitIsTooLargeWhereverTheReadsEnd() {
        for (int size : new int[] {LIMIT + 1, LIMIT + 8192, 10 * LIMIT}) {
            WholeBody.TooLarge e = assertThrows(WholeBody.TooLarge.class,
                    () -> WholeBody.readComplete(answer(new byte[size]), LIMIT, 10_000, Deadline.NONE));
            assertEquals("larger than " + LIMIT + " bytes", e.getMessage());
        }
    }

    @Test
    void anErrorBodyIsStillCutAtItsLimitWithoutFailing() throws Exception {
        assertEquals(LIMIT, WholeBody.read(answer(new byte[3 * LIMIT]), LIMIT, 10_000, Deadline.NONE).length);
    }

    private static UpstreamResponse answer(byte[] body) {
        return new UpstreamResponse(200, Map.of(), new ByteArrayInputStream(body));
    }
}

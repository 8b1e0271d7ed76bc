package io.llmrelay.local;

import io.llmrelay.testing.Background;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** No wait in the pipe between the function's response and its caller outlives the invocation. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChunkPipeTest {
    private static final long SHORT_DEADLINE_MS = 150;

    @Test
    void aWriterWhoseReaderLeftWithoutAWordGivesUpAtTheDeadline() {
        ChunkPipe pipe = new ChunkPipe(System.currentTimeMillis() + SHORT_DEADLINE_MS);
        assertThrows(ChunkPipe.DeadlinePassed.class, () -> {
            for (int i = 0; i < 10_000; i++) { // far more than the pipe holds; nobody reads
                pipe.send(new byte[] {1});
            }
        });
    }

    @Test
    void aReaderWhoseWriterNeverCameGivesUpAtTheDeadline() {
        ChunkPipe pipe = new ChunkPipe(System.currentTimeMillis() + SHORT_DEADLINE_MS);
        assertThrows(ChunkPipe.DeadlinePassed.class, pipe::readChunk);
    }

    @Test
    void abortingReleasesABlockedWriterAndTellsTheReaderWhy() throws Exception {
        ChunkPipe pipe = new ChunkPipe(System.currentTimeMillis() + 60_000);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 10_000; i++) {
                    pipe.send(new byte[] {1});
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Background.THREADS);
        IOException why = new IOException("the caller went away");
        // Whether the writer is already blocked on the full pipe or not, abort must end it.
        pipe.abort(why);
        assertThrows(Exception.class, () -> writer.get(10, TimeUnit.SECONDS));
        assertSame(why, assertThrows(IOException.class, pipe::readChunk));
    }

    @Test
    void aFailureAfterAnAbortDoesNotReplaceTheReasonTheReaderGets() {
        ChunkPipe pipe = new ChunkPipe(System.currentTimeMillis() + 60_000);
        IOException why = new IOException("the caller went away");
        pipe.abort(why);
        pipe.fail(new IOException("the response stream broke off"));
        assertSame(why, assertThrows(IOException.class, pipe::readChunk));
    }

    @Test
    void chunksArriveWholeAndInOrderThenTheEnd() throws Exception {
        ChunkPipe pipe = new ChunkPipe(System.currentTimeMillis() + 60_000);
        pipe.send(new byte[] {1, 2});
        pipe.send(new byte[] {3});
        pipe.end();
        assertArrayEquals(new byte[] {1, 2}, pipe.readChunk());
        assertArrayEquals(new byte[] {3}, pipe.readChunk());
        assertEquals(null, pipe.readChunk());
    }
}

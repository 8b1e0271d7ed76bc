package io.llmrelay.upstream.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.llmrelay.openai.Usage;
import io.llmrelay.upstream.StreamItem;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The usage half of {@link ChunkDecoder}: token counts read from any chunk that has a usage object,
 * and, when the relay asked for usage on its own account, exactly the usage chunk
 * ({@code "choices": []} with a usage object, as OpenAI documents it for
 * {@code stream_options.include_usage}) held back; every other chunk passes as the upstream's own string.
 */
class ChunkDecoderUsageTest {
    private static final String HEAD = "{\"id\":\"chatcmpl-u\",\"object\":\"chat.completion.chunk\",\"created\":1,"
            + "\"model\":\"gpt-4o-mini\",";

    private static String content(String text, String usage) {
        return HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text + "\"},\"finish_reason\":null}],\"usage\":"
                + usage + "}";
    }

    private static String usageChunk(String spacing, String usage) {
        return HEAD + "\"choices\":[" + spacing + "],\"usage\":" + usage + "}";
    }

    @Test
    void holdsBackTheUsageChunkOnlyWhenTheRelayAskedAndReadsItEitherWay() {
        String usage = usageChunk("", "{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}");
        ChunkDecoder hiding = ChunkDecoder.forRequest("r", 1, "m", true);
        assertSame(StreamItem.HEARTBEAT, hiding.decode(usage));
        assertEquals(Usage.of(9, 4), hiding.usage());

        ChunkDecoder passing = ChunkDecoder.forRequest("r", 1, "m", false);
        assertSame(usage, assertInstanceOf(StreamItem.Chunk.class, passing.decode(usage)).json(), "byte for byte");
        assertEquals(Usage.of(9, 4), passing.usage());
    }

    @Test
    void usageOnALastContentChunkIsReadAndTheChunkGoesOnWhole() {
        ChunkDecoder hiding = ChunkDecoder.forRequest("r", 1, "m", true);
        String last = content("bye", "{\"prompt_tokens\":20,\"completion_tokens\":7}");
        assertSame(last, assertInstanceOf(StreamItem.Chunk.class, hiding.decode(last)).json());
        assertEquals(Usage.of(20, 7), hiding.usage());
    }

    @Test
    void nullOrMalformedCountsAreUnknownNeverGuessed() {
        ChunkDecoder decoder = ChunkDecoder.forRequest("r", 1, "m", true);
        decoder.decode(content("a", "null"));
        assertEquals(Usage.UNKNOWN, decoder.usage());
        decoder.decode(usageChunk(" ", "{\"prompt_tokens\":-1,\"completion_tokens\":\"4\"}"));
        assertEquals(Usage.UNKNOWN, decoder.usage());
        decoder.decode(usageChunk("", "{\"prompt_tokens\":3.5,\"completion_tokens\":12}"));
        assertEquals(new Usage(OptionalLong.empty(), OptionalLong.of(12)), decoder.usage());
        decoder.decode(usageChunk("", "{\"prompt_tokens\":30}"));
        assertEquals(Usage.of(30, 12), decoder.usage(), "a later report replaces count by count");
    }

    /**
     * Streams of random shapes (usage nowhere, on every chunk, on the last content chunk, in a
     * chunk of its own with any spacing inside its empty choices): what goes on is every chunk but
     * the usage chunk when the relay hides it, each the upstream's own string, and the usage read
     * is the last one reported.
     */
    @Test
    void property_whatGoesOnIsEverythingButTheHiddenUsageChunk() {
        Random random = new Random(1414);
        for (int stream = 0; stream < 500; stream++) {
            boolean hide = random.nextBoolean();
            int style = random.nextInt(4);
            List<String> sent = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            Usage last = Usage.UNKNOWN;
            int chunks = 1 + random.nextInt(6);
            for (int i = 0; i < chunks; i++) {
                boolean withUsage = style == 1 || (style == 2 && i == chunks - 1);
                long p = random.nextInt(5000);
                long c = random.nextInt(900);
                String chunk = content("w" + i, withUsage ? "{\"prompt_tokens\":" + p + ",\"completion_tokens\":" + c + "}"
                        : "null");
                sent.add(chunk);
                expected.add(chunk);
                last = withUsage ? Usage.of(p, c) : last;
            }
            if (style == 3) {
                long p = random.nextInt(5000);
                long c = random.nextInt(900);
                String usage = usageChunk(List.of("", " ", "  ", " \t ").get(random.nextInt(4)),
                        "{\"prompt_tokens\":" + p + ",\"completion_tokens\":" + c + ",\"total_tokens\":" + (p + c) + "}");
                sent.add(usage);
                if (!hide) {
                    expected.add(usage);
                }
                last = Usage.of(p, c);
            }
            ChunkDecoder decoder = ChunkDecoder.forRequest("r", 1, "m", hide);
            List<String> passed = new ArrayList<>();
            for (String data : sent) {
                StreamItem item = decoder.decode(data);
                if (item instanceof StreamItem.Chunk chunk) {
                    assertSame(data, chunk.json(), "a chunk that goes on is the upstream's own string");
                    passed.add(chunk.json());
                } else {
                    assertSame(StreamItem.HEARTBEAT, item);
                }
            }
            assertEquals(expected, passed, "stream " + stream + " style " + style + " hide " + hide);
            assertEquals(last, decoder.usage());
        }
    }
}

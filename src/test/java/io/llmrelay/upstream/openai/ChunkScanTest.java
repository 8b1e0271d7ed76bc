package io.llmrelay.upstream.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ChunkScan} is a shortcut for Jackson's scan: whenever it answers, the answer must be
 * Jackson's. Checked on a corpus of chunk shapes and edge cases, and on random mutations of it
 * (characters deleted, inserted, swapped), which is where a hand-written validator goes wrong.
 */
class ChunkScanTest {
    private static final String SMALL = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
            + "\"model\":\"gpt-4o\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" Hi\"},"
            + "\"logprobs\":null,\"finish_reason\":null}]}";

    private static final List<String> CORPUS = List.of(
            SMALL,
            "{}",
            " { } ",
            "{\"id\":null,\"object\":null,\"created\":null,\"model\":null}",
            "{\"id\":\"a\",\"id\":null}",
            "{\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}",
            "{\"error\":\"boom\"}",
            "{\"error\":null}",
            "{\"error\":42}",
            "{\"error\":[1]}",
            "{\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2,\"total_tokens\":3}}",
            "{\"id\":\"u\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[ \n ],"
                    + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}",
            "{\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"prompt_tokens\":9}}",
            "{\"choices\":[],\"choices\":[{\"index\":0}],\"usage\":{}}",
            "{\"choices\":[{\"index\":0}],\"choices\":[],\"usage\":null}",
            "{\"choices\":[[]],\"usage\":[]}",
            "{\"choices\":{},\"usage\":\"none\"}",
            "{\"x\":-0,\"y\":0.5,\"z\":1e10,\"w\":-1.25E-3,\"v\":[true,false,null,{},[]]}",
            "{\"s\":\"caf\\u00e9 \\\"q\\\" \\\\ \\/ \\b\\f\\n\\r\\t 😀\"}",
            "{\"\\u0069d\":\"escaped name\"}",
            "{\"id\":\"x\"}{}",
            "{\"id\":\"x\"} x",
            "[1,2]",
            "\"text\"",
            "42",
            "null",
            "",
            "   ",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":+1}",
            "{\"a\":1e}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":tru}",
            "{\"a\":\"unterminated}",
            "{\"a\":\"ctl\u0001char\"}",
            "{\"a\":\"bad \\x escape\"}",
            "{\"a\":\"bad \\u12G4 escape\"}",
            "{\"a\":1,}",
            "{,\"a\":1}",
            "{\"a\" 1}",
            "{'a':1}",
            "{a:1}",
            "{\"a\":[1,]}",
            "{\"a\":[,1]}",
            "{\"a\":1 /* c */}",
            "\uFEFF{\"a\":1}",
            "{\"a\":\u00a01}",
            "{\"a\":1}\n",
            "{\"a\":\n1}",
            "{\"a\":" + "[".repeat(70) + "]".repeat(70) + "}",
            "{\"a\":" + "[".repeat(10) + "]".repeat(10) + "}",
            "{\"n\":" + "1".repeat(80) + "}",
            "{\"n\":12345678901234567890123456789}",
            "{\"id\":\"x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"delta\":{"
                    + "\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                    + "\"arguments\":\"{\\\"q\\\":\\\"v\\\"}\"}}]}}]}");

    @Test
    void agreesWithJacksonOnTheCorpus() {
        for (String data : CORPUS) {
            check(data);
        }
    }

    @Test
    void answersTheCommonChunkItselfWithoutAskingJackson() {
        assertEquals(ChunkDecoder.HAS_ID | ChunkDecoder.HAS_OBJECT | ChunkDecoder.HAS_CREATED | ChunkDecoder.HAS_MODEL,
                ChunkScan.topLevelFields(SMALL));
        assertEquals(ChunkDecoder.HAS_ERROR, ChunkScan.topLevelFields("{\"error\":{\"message\":\"x\"}}"));
        assertEquals(ChunkScan.UNSURE, ChunkScan.topLevelFields("[1]"));
        assertEquals(ChunkDecoder.HAS_ID | ChunkDecoder.HAS_OBJECT | ChunkDecoder.HAS_CREATED | ChunkDecoder.HAS_MODEL
                        | ChunkDecoder.HAS_USAGE | ChunkDecoder.HAS_EMPTY_CHOICES,
                ChunkScan.topLevelFields("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                        + "\"model\":\"gpt-4o\",\"choices\":[ ],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}"),
                "OpenAI's usage chunk");
        assertEquals(0, ChunkScan.topLevelFields("{\"usage\":null,\"choices\":[0]}"), "null usage, choices with content");
        assertEquals(ChunkDecoder.HAS_EMPTY_CHOICES, ChunkScan.topLevelFields("{\"choices\":[1],\"choices\":[]}"),
                "the last choices decides");
        assertEquals(0, ChunkScan.topLevelFields("{\"choices\":[],\"choices\":[1]}"), "the last choices decides");
        assertEquals(ChunkScan.UNSURE, ChunkScan.topLevelFields("{\"\\u0069d\":1}"));
    }

    @Test
    void agreesWithJacksonOnRandomMutations() {
        Random random = new Random(20261122);
        String alphabet = "{}[]\":,\\ -+.eE0123456789abcdefnrtulsu\u0001\n\t";
        int checked = 0;
        for (String seed : CORPUS) {
            for (int round = 0; round < 400; round++) {
                StringBuilder s = new StringBuilder(seed);
                int edits = 1 + random.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    int at = s.isEmpty() ? 0 : random.nextInt(s.length() + 1);
                    switch (random.nextInt(3)) {
                        case 0 -> {
                            if (at < s.length()) {
                                s.deleteCharAt(at);
                            }
                        }
                        case 1 -> s.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                        default -> {
                            if (at < s.length()) {
                                s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                            }
                        }
                    }
                }
                check(s.toString());
                checked++;
            }
        }
        assertEquals(CORPUS.size() * 400, checked);
    }

    private static void check(String data) {
        int fast = ChunkScan.topLevelFields(data);
        if (fast != ChunkScan.UNSURE) {
            assertEquals(ChunkDecoder.scanWithJackson(data), fast, () -> "ChunkScan disagrees with Jackson on: " + data);
        }
        assertEquals(ChunkDecoder.scanWithJackson(data), ChunkDecoder.scan(data), () -> "scan differs on: " + data);
    }
}

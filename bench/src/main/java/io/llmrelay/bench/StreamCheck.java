package io.llmrelay.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a client must have received for one stream of {@code n} chunks from an upstream speaking
 * {@code wire}, directly or through the relay, and when each of the upstream's steps reached it.
 *
 * <p>Directly, the client gets the upstream's own events, exactly (an OpenAI chunk, or one or two
 * Anthropic events or Bedrock frames per step). Through the relay it gets {@code n} chunks and
 * {@code [DONE]}: from an OpenAI upstream the same bytes; from Anthropic or Bedrock the relay's
 * translation, checked for the token each step carries (role, word, finish reason) and the
 * caller's model name. A step arrived with the read that brought its last event.
 */
final class StreamCheck {
    private final UpstreamWire wire;
    private final int n;
    private final List<String> direct = new ArrayList<>();
    /** Index in the direct events of each step's last event. */
    private final int[] stepEnds;

    StreamCheck(UpstreamWire wire, int n) {
        this.wire = wire;
        this.n = n;
        stepEnds = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            for (byte[] event : wire.step(i, n)) {
                direct.add(wire.binary() ? new String(event, StandardCharsets.ISO_8859_1)
                        : new String(event, StandardCharsets.UTF_8).replace("\r", "").strip());
            }
            stepEnds[i] = direct.size() - 1;
        }
    }

    /** Null when {@code events} are what the client should have received; else what differs. */
    String error(List<String> events, boolean directly) {
        int expected = directly ? direct.size() : n + 1;
        if (events.size() != expected) {
            return "expected " + expected + " events, got " + events.size();
        }
        for (int i = 0; i < expected; i++) {
            String event = events.get(i);
            boolean ok = directly ? event.equals(direct.get(i)) : relayed(i, event);
            if (!ok) {
                return "event " + i + " differs: " + (wire.binary() && directly ? event.length() + " bytes" : event);
            }
        }
        return null;
    }

    private boolean relayed(int i, String event) {
        if (i == n) {
            return event.equals("data: [DONE]");
        }
        if (wire == UpstreamWire.OPENAI) {
            return event.equals("data: " + Chunks.data(i, n)); // passed through byte for byte
        }
        String token = i == 0 ? "\"delta\":{\"role\":\"assistant\""
                : i == n - 1 ? "\"finish_reason\":\"stop\"" : "\"delta\":{\"content\":\"" + Chunks.word(i) + "\"}";
        return event.startsWith("data: {") && event.contains(token) && event.contains("\"model\":\"bench-model\"");
    }

    /** When each step arrived (System.nanoTime of the read that completed it). */
    long[] stepNanos(StreamClient.Result r, boolean directly) {
        long[] out = new long[n + 1];
        for (int i = 0; i <= n; i++) {
            out[i] = r.eventNanos()[directly ? stepEnds[i] : i];
        }
        return out;
    }

    /** Which read completed each step. */
    int[] stepReads(StreamClient.Result r, boolean directly) {
        int[] out = new int[n + 1];
        for (int i = 0; i <= n; i++) {
            out[i] = r.eventRead()[directly ? stepEnds[i] : i];
        }
        return out;
    }
}

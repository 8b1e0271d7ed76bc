package io.llmrelay.secrets;

import java.util.function.BooleanSupplier;

/**
 * The matching half of a scan: takes the decoded chars of an input one by one, each with the
 * range of the input it came from, runs them through the keys' automaton (and the masked-key
 * finder, for upstream error text) and records the input ranges to redact. Because each char
 * carries the range of its whole escape or UTF-8 sequence, a redaction never cuts an escape in
 * two: it covers whole escapes, so the output stays valid JSON wherever the input was.
 */
final class CharFeed {
    /** How much input is scanned between two looks at the deadline (small inputs never look). */
    static final int CHECK_EVERY = 1 << 20;

    private final KeyAutomaton keys;
    private final MaskedKeys masks;
    private final BooleanSupplier outOfTime;
    /** Where each of the last chars read into a partial match began, by their count (a ring as long as the longest key). */
    private final int[] starts;
    private final int ringMask;
    private int chars;
    private int state;
    private int nextCheck = CHECK_EVERY;
    private Redactions found;

    /** A scan from a unit boundary, with nothing of any key read yet. */
    CharFeed(KeyAutomaton keys, boolean masked, BooleanSupplier outOfTime) {
        this.keys = keys;
        this.masks = masked ? new MaskedKeys() : null;
        this.outOfTime = outOfTime;
        int size = Integer.highestOneBit(Math.max(1, keys.maxKeyLength()) * 2 - 1);
        this.starts = keys.isEmpty() ? null : new int[size];
        this.ringMask = size - 1;
    }

    /** Whether no partial match is pending. */
    boolean atRoot() {
        return state == 0;
    }

    /** Reads {@code c}, decoded from the input's {@code [start, end)}. */
    void feed(char c, int start, int end) {
        if (starts != null && (state != 0 || c >= 128 || !keys.quietAtRoot(c))) {
            state = keys.next(state, c);
            if (state != 0) {
                // Only chars read into a partial match need their place: a match never starts at one read at the root.
                starts[chars & ringMask] = start;
                chars++;
                int length = keys.matchLength(state);
                if (length != 0) {
                    found = Redactions.add(found, starts[(chars - length) & ringMask], end);
                }
            }
        }
        if (masks != null) {
            found = masks.feed(c, start, end, found);
        }
    }

    /** Looks at the deadline once per {@link #CHECK_EVERY} units of input; {@code position} is how far the scan is. */
    void progress(int position) throws ScrubTimeoutException {
        if (position >= nextCheck) {
            if (outOfTime.getAsBoolean()) {
                throw new ScrubTimeoutException();
            }
            nextCheck = (int) Math.min((long) position + CHECK_EVERY, Integer.MAX_VALUE);
        }
    }

    /** The ranges found, or null when there are none. */
    Redactions finish() {
        return masks != null ? masks.finish(found) : found;
    }
}

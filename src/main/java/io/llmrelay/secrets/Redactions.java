package io.llmrelay.secrets;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ranges of an input to replace with {@value KnownSecrets#REDACTED}: byte ranges of a UTF-8
 * body or char ranges of a text, half-open, in the input's own coordinates. Overlapping and
 * touching ranges become one, so a key that overlaps another (or a masked form around it) leaves
 * one marker, never a fragment of either.
 */
final class Redactions {
    private static final byte[] MARKER = KnownSecrets.REDACTED.getBytes(StandardCharsets.US_ASCII);

    /** Each range as {@code start << 32 | end}, so that sorting orders by start. */
    private long[] ranges = new long[4];
    private int count;
    /** Whether every range was added after the ones before it ended (no sort needed). */
    private boolean ordered = true;

    /** Records {@code [start, end)}; returns {@code found}, created when null (so a clean scan allocates nothing). */
    static Redactions add(Redactions found, int start, int end) {
        Redactions out = found != null ? found : new Redactions();
        out.add(start, end);
        return out;
    }

    private void add(int start, int end) {
        // Absorb the ranges this one touches; scans find ranges in order of their ends, so only the newest need looking at.
        while (count > 0 && start <= end(ranges[count - 1])) {
            long last = ranges[count - 1];
            if (end < start(last)) {
                break;
            }
            start = Math.min(start, start(last));
            end = Math.max(end, end(last));
            count--;
        }
        if (count > 0 && end < start(ranges[count - 1])) {
            ordered = false;
        }
        if (count == ranges.length) {
            ranges = Arrays.copyOf(ranges, count * 2);
        }
        ranges[count++] = (long) start << 32 | end;
    }

    /** {@code raw} with every range replaced by the marker. */
    byte[] apply(byte[] raw) {
        normalise();
        int length = raw.length;
        for (int i = 0; i < count; i++) {
            length += MARKER.length - (end(ranges[i]) - start(ranges[i]));
        }
        byte[] out = new byte[length];
        int from = 0;
        int to = 0;
        for (int i = 0; i < count; i++) {
            int start = start(ranges[i]);
            System.arraycopy(raw, from, out, to, start - from);
            to += start - from;
            System.arraycopy(MARKER, 0, out, to, MARKER.length);
            to += MARKER.length;
            from = end(ranges[i]);
        }
        System.arraycopy(raw, from, out, to, raw.length - from);
        return out;
    }

    /** {@code text} with every range replaced by the marker. */
    String apply(String text) {
        normalise();
        StringBuilder out = new StringBuilder(text.length() + count * MARKER.length);
        int from = 0;
        for (int i = 0; i < count; i++) {
            out.append(text, from, start(ranges[i])).append(KnownSecrets.REDACTED);
            from = end(ranges[i]);
        }
        return out.append(text, from, text.length()).toString();
    }

    /** Sorts and merges ranges that were added out of order (a second scan over the same input). */
    private void normalise() {
        if (ordered) {
            return;
        }
        long[] sorted = Arrays.copyOf(ranges, count);
        Arrays.sort(sorted);
        count = 0;
        ordered = true;
        for (long range : sorted) {
            add(start(range), end(range));
        }
    }

    /** The ranges of two scans of one input, either of which may be null (it found nothing): null when both are. */
    static Redactions both(Redactions found, Redactions more) {
        if (found == null || more == null) {
            return found != null ? found : more;
        }
        for (int i = 0; i < more.count; i++) {
            found.add(start(more.ranges[i]), end(more.ranges[i]));
        }
        return found;
    }

    private static int start(long range) {
        return (int) (range >>> 32);
    }

    private static int end(long range) {
        return (int) range;
    }
}

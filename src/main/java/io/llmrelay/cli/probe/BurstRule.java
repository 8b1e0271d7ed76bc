package io.llmrelay.cli.probe;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds events that were held back somewhere between the model and the probe and then let go
 * together. The rule, exactly as {@link #DEFINITION} states it to users:
 *
 * <ul>
 *   <li>the events are a stream's chunks: its {@code data:} events other than {@code [DONE]} (which
 *       servers write together with the last chunk, so it says nothing about holding back), each
 *       timed when its last byte was read; an event's gap is the time since the chunk before it
 *       (the first has none);</li>
 *   <li>a burst starts at an event whose gap is longer than max({@value #MEDIAN_FACTOR} x the
 *       median gap of that stream, {@value #MIN_PAUSE_MS} ms) and whose next event's gap is at most
 *       {@value #TOGETHER_MS} ms; it goes on while gaps stay at most {@value #TOGETHER_MS} ms;</li>
 *   <li>"held back" counts the events in bursts (each burst has at least two).</li>
 * </ul>
 *
 * A stream that flows evenly, however fast, has no pause before its close events and no burst;
 * a buffer that holds small writes back shows as a pause followed by several events at once.
 */
final class BurstRule {
    static final double TOGETHER_MS = 1.0;
    static final double MEDIAN_FACTOR = 5.0;
    static final double MIN_PAUSE_MS = 15.0;

    static final String DEFINITION = """
            A burst is a run of 2 or more chunks where the first came after a pause longer than
            max(5 x the stream's median gap, 15 ms) and each of the others within 1 ms of the one
            before it (chunks = data: events other than [DONE], each timed when its last byte was
            read; gap = time since the chunk before). Such chunks were held back somewhere and let
            go together; "held back" counts them.""";

    /**
     * @param firstEvent  index of the burst's first event among the events given to {@link #find}
     *                    (in an {@link Outcome}: among all its events, [DONE] included), from 0
     * @param events      how many events the burst holds (at least 2)
     * @param pauseMs     the gap before its first event
     */
    record Burst(int firstEvent, int events, double pauseMs) {}

    private BurstRule() {}

    /** The gaps between consecutive arrival times: one fewer than there are events. */
    static double[] gaps(double[] arrivalsMs) {
        double[] gaps = new double[Math.max(0, arrivalsMs.length - 1)];
        for (int i = 1; i < arrivalsMs.length; i++) {
            gaps[i - 1] = arrivalsMs[i] - arrivalsMs[i - 1];
        }
        return gaps;
    }

    /** The bursts in a stream whose events arrived at {@code arrivalsMs} (non-decreasing). */
    static List<Burst> find(double[] arrivalsMs) {
        double[] gaps = gaps(arrivalsMs);
        List<Burst> bursts = new ArrayList<>();
        if (gaps.length < 2) {
            return bursts;
        }
        double pause = Math.max(MEDIAN_FACTOR * Stats.median(gaps), MIN_PAUSE_MS);
        // gaps[i] is the gap before event i + 1
        int i = 0;
        while (i < gaps.length - 1) {
            if (gaps[i] > pause && gaps[i + 1] <= TOGETHER_MS) {
                int end = i + 1;
                while (end + 1 < gaps.length && gaps[end + 1] <= TOGETHER_MS) {
                    end++;
                }
                bursts.add(new Burst(i + 1, end - i + 1, gaps[i]));
                i = end + 1;
            } else {
                i++;
            }
        }
        return bursts;
    }

    /** The events in all of {@code bursts}. */
    static int heldBack(List<Burst> bursts) {
        return bursts.stream().mapToInt(Burst::events).sum();
    }
}

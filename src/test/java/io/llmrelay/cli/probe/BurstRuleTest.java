package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The burst rule as the README and {@code probe --help} state it, over generated timelines: evenly
 * flowing streams (any pace, jittered) have no burst, and
 * every burst injected after a pause is found with its exact size and place.
 */
class BurstRuleTest {
    private static final int TIMELINES = 2000;

    @Test
    void theBriefsExampleIsOneBurstOfFive() {
        // events 1-5 20 ms apart, 200 ms pause, events 6-10 together, finish 20 ms later
        double[] at = {0, 20, 40, 60, 80, 280, 280.1, 280.2, 280.2, 280.3, 300.3};
        assertEquals(List.of(new BurstRule.Burst(5, 5, 200)), BurstRule.find(at));
    }

    @Test
    void evenlyFlowingStreamsHaveNoBurstAtAnyPace() {
        Random random = new Random(13);
        for (int n = 0; n < TIMELINES; n++) {
            double[] at = even(random);
            assertEquals(List.of(), BurstRule.find(at), () -> "timeline " + java.util.Arrays.toString(at));
        }
    }

    @Test
    void everyInjectedBurstIsFoundWithItsSizeAndPlace() {
        Random random = new Random(31);
        int checked = 0;
        for (int n = 0; n < TIMELINES; n++) {
            List<BurstRule.Burst> injected = new ArrayList<>();
            double[] at = injectBursts(BurstRule.gaps(even(random)), random, injected);
            List<BurstRule.Burst> found = BurstRule.find(at);
            assertEquals(injected, withoutPauses(found), () -> "timeline " + java.util.Arrays.toString(at));
            assertEquals(injected.stream().mapToInt(BurstRule.Burst::events).sum(), BurstRule.heldBack(found));
            checked += injected.isEmpty() ? 0 : 1;
        }
        assertTrue(checked > TIMELINES / 2, "most timelines had room for a burst: " + checked);
    }

    @Test
    void aWholeStreamHeldInSmallGroupsIsAllBursts() {
        // a buffer that lets go of 4 events every 100 ms: median gap 0, so the 15 ms floor decides
        double[] at = new double[20];
        for (int i = 0; i < at.length; i++) {
            at[i] = (i / 4) * 100 + (i % 4) * 0.1;
        }
        List<BurstRule.Burst> bursts = BurstRule.find(at);
        assertEquals(4, bursts.size(), bursts.toString()); // the first group has no pause before it
        assertEquals(16, BurstRule.heldBack(bursts));
    }

    @Test
    void aPauseFollowedByOneEventIsNotABurst() {
        assertEquals(List.of(), BurstRule.find(new double[] {0, 10, 20, 300, 310, 320}));
        assertEquals(List.of(), BurstRule.find(new double[] {0, 500}));
        assertEquals(List.of(), BurstRule.find(new double[] {0}));
        assertEquals(List.of(), BurstRule.find(new double[0]));
    }

    @Test
    void oneMillisecondIsTogetherAndAnythingLongerIsNot() {
        assertEquals(1, BurstRule.find(new double[] {0, 10, 20, 30, 300, 301, 311}).size());
        assertEquals(0, BurstRule.find(new double[] {0, 10, 20, 30, 300, 301.01, 311}).size());
    }

    /**
     * 3-200 chunks at a base pace of 0.2-60 ms, each gap jittered to 0.4-1.6 times the pace (so no
     * gap is more than 4x the median).
     */
    private static double[] even(Random random) {
        int events = 3 + random.nextInt(198);
        double pace = 0.2 + random.nextDouble() * 60;
        double[] at = new double[events];
        for (int i = 1; i < events; i++) {
            double gap = pace * (0.4 + 1.2 * random.nextDouble());
            at[i] = at[i - 1] + gap;
        }
        return at;
    }

    /**
     * Holds back 1-3 runs of 2-8 events of an even timeline (given by its gaps): inside a run each
     * event comes 0-1 ms after the one before; the run's first comes after a pause longer than
     * max(5 x the median gap, 15 ms), the median taken as if every pause were infinitely long (the
     * most a pause can raise it); the event after a run comes more than 1 ms after it. A normal
     * gap over 15 ms (pace over 9 ms) is never followed by one under 1 ms, so the injected runs
     * are all the rule may find.
     */
    private static double[] injectBursts(double[] baseGaps, Random random, List<BurstRule.Burst> injected) {
        double[] gaps = baseGaps.clone();
        int events = gaps.length + 1;
        int from = 1 + random.nextInt(2);
        for (int b = 1 + random.nextInt(3); b > 0; b--) {
            int size = 2 + random.nextInt(7);
            int first = from + random.nextInt(3);
            if (first + size > events - 1) {
                break;
            }
            injected.add(new BurstRule.Burst(first, size, 0));
            for (int e = first + 1; e < first + size; e++) {
                gaps[e - 1] = random.nextDouble();
            }
            gaps[first + size - 1] = Math.max(gaps[first + size - 1], 1.01 + random.nextDouble());
            from = first + size + 1;
        }
        double[] pausesInfinite = gaps.clone();
        injected.forEach(b -> pausesInfinite[b.firstEvent() - 1] = Double.POSITIVE_INFINITY);
        double highestMedian = Stats.median(pausesInfinite);
        for (BurstRule.Burst b : injected) {
            gaps[b.firstEvent() - 1] = Math.max(5 * highestMedian, 15) * (1.01 + random.nextDouble());
        }
        double[] at = new double[events];
        for (int i = 1; i < events; i++) {
            at[i] = at[i - 1] + gaps[i - 1];
        }
        return at;
    }

    private static List<BurstRule.Burst> withoutPauses(List<BurstRule.Burst> found) {
        return found.stream().map(b -> new BurstRule.Burst(b.firstEvent(), b.events(), 0)).toList();
    }
}

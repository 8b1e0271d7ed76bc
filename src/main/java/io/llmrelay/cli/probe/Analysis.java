package io.llmrelay.cli.probe;

import java.util.ArrayList;
import java.util.List;

/** Turns what {@link StreamCapture} saw of one response into an {@link Outcome}: the rules of "ok" live here. */
final class Analysis {
    private Analysis() {}

    /**
     * @param startNanos when the request was handed to the HTTP client
     * @param cutShort   why the body ended early (timeout, connection lost), or null when it ended cleanly
     */
    static Outcome of(String side, int number, long startNanos, StreamCapture capture, String cutShort) {
        List<String> problems = headProblems(capture);
        if (cutShort != null) {
            problems.add(cutShort);
        }
        if (capture.failure() != null) {
            problems.add(capture.failure());
        }
        Tally tally = new Tally(startNanos);
        capture.events().forEach(tally::add);
        problems.addAll(tally.errors);
        if (capture.eventStream()) {
            problems.addAll(streamProblems(tally, capture.endedMidEvent()));
        }
        // [DONE] is left out of gaps and bursts: servers write it together with the last chunk
        List<Integer> chunkIndex = new ArrayList<>();
        for (int i = 0; i < tally.events.size(); i++) {
            if (tally.events.get(i).kind() != EventKind.DONE) {
                chunkIndex.add(i);
            }
        }
        double[] arrivals = chunkIndex.stream().mapToDouble(i -> tally.events.get(i).atMs()).toArray();
        double[] gaps = BurstRule.gaps(arrivals);
        List<BurstRule.Burst> bursts = BurstRule.find(arrivals).stream()
                .map(b -> new BurstRule.Burst(chunkIndex.get(b.firstEvent()), b.events(), b.pauseMs())).toList();
        long end = capture.endNanos();
        return new Outcome(side, number, capture.status(), problems.isEmpty() ? null : String.join("; ", problems),
                ms(capture.headersNanos() - startNanos), tally.firstContentMs, end == 0 ? null : ms(end - startNanos),
                tally.chunks, tally.done, List.copyOf(tally.events), bursts,
                Stats.percentile(gaps, 50), Stats.percentile(gaps, 99), Stats.percentile(gaps, 100),
                problems.isEmpty());
    }

    private static List<String> headProblems(StreamCapture capture) {
        List<String> problems = new ArrayList<>();
        if (capture.status() != 200) {
            problems.add(capture.status() + " " + ErrorBodies.describe(capture.body()));
        } else if (!capture.eventStream()) {
            problems.add("not an event stream: content-type '" + capture.contentType() + "'" + errorIn(capture.body()));
        }
        return problems;
    }

    /** The events classified and counted, in arrival order. */
    private static final class Tally {
        final long startNanos;
        final List<Outcome.TimedEvent> events = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        Double firstContentMs;
        int chunks;
        int done;
        int afterDone;
        int invalid;

        Tally(long startNanos) {
            this.startNanos = startNanos;
        }

        void add(StreamCapture.RawEvent raw) {
            EventKind.Classified c = EventKind.classify(raw.data());
            double at = ms(raw.arrivedNanos() - startNanos);
            Double gap = events.isEmpty() ? null : at - events.get(events.size() - 1).atMs();
            events.add(new Outcome.TimedEvent(at, gap, c.kind()));
            if (c.kind() == EventKind.DONE) {
                done++;
                return;
            }
            chunks++;
            afterDone += done > 0 ? 1 : 0;
            switch (c.kind()) {
                case CONTENT -> firstContentMs = firstContentMs == null ? at : firstContentMs;
                case ERROR -> errors.add("error event: " + c.errorMessage());
                case INVALID -> invalid++;
                default -> { }
            }
        }
    }

    private static List<String> streamProblems(Tally tally, boolean midEvent) {
        List<String> problems = new ArrayList<>();
        if (tally.done == 0) {
            problems.add("no [DONE]: the stream ended without it");
        } else if (tally.done > 1) {
            problems.add(tally.done + " [DONE] events, expected exactly one");
        }
        if (tally.afterDone > 0) {
            problems.add(tally.afterDone + " event(s) after [DONE]");
        }
        if (tally.invalid > 0) {
            problems.add(tally.invalid + " event(s) whose data is not a JSON object");
        }
        if (midEvent) {
            problems.add("the stream ended in the middle of an event");
        }
        return problems;
    }

    private static String errorIn(byte[] body) {
        if (body.length == 0) {
            return "";
        }
        if (new String(body, java.nio.charset.StandardCharsets.UTF_8).contains("\"chat.completion\"")) {
            return ": a whole chat.completion (the server did not stream)";
        }
        return ": " + ErrorBodies.describe(body);
    }

    static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}

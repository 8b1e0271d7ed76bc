package io.llmrelay.cli.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs the plan: request 1 to A, request 1 to B, request 2 to A, ... (A only without
 * {@code --compare}), started in that order by {@code concurrency} workers, so both sides see the
 * same moments of the network and of the machine.
 */
final class ProbeRun {
    private ProbeRun() {}

    /** @return the outcomes in plan order (A1, B1, A2, B2, ...) */
    static List<Outcome> run(List<Target> targets, int requestsPerTarget, int concurrency, ProbeClient client,
            Progress progress) throws InterruptedException {
        ExecutorService workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "probe-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> planned = new ArrayList<>();
            for (int n = 1; n <= requestsPerTarget; n++) {
                for (Target target : targets) {
                    int number = n;
                    planned.add(workers.submit(() -> {
                        progress.started();
                        Outcome outcome = client.probe(target, number);
                        progress.finished(outcome);
                        return outcome;
                    }));
                }
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : planned) {
                outcomes.add(join(f));
            }
            return outcomes;
        } finally {
            workers.shutdownNow();
            progress.close();
        }
    }

    private static Outcome join(Future<Outcome> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            // ProbeClient reports every failure it knows as an Outcome; anything else is a bug in the probe
            throw new IllegalStateException("probe failed: " + e.getCause(), e.getCause());
        }
    }
}

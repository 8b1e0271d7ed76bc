package io.llmrelay.relay.attempt;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.relay.attempt.RouteAttempts.RouteResult;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.watch.Deadline;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hedged first token: one attempt on the route and, if it has no first event within the route's
 * {@code hedgeAfterMs}, the same request on its {@code hedgeRoute} as well. The first of the two
 * to produce an answer worth relaying (a stream's first event, a whole answer) wins and the other
 * is cancelled at once (its connection closed, so it stops generating). When both fail, the
 * route's attempt's failure is the result, and the route's retries and fallbacks go on from it as
 * if there had been no hedge. The race is over before anything goes to the caller (never after
 * the first byte), and no wait in it outlives the invocation's deadline.
 */
final class HedgeRace {
    private final Deadline deadline;
    private final RequestLog log;
    private final long deadlineMarginMs;
    private boolean hedgeStarted;

    HedgeRace(Deadline deadline, RequestLog log, long deadlineMarginMs) {
        this.deadline = deadline;
        this.log = log;
        this.deadlineMarginMs = deadlineMarginMs;
    }

    /** Whether the last race started its hedge (a request hedges once at most). */
    boolean hedgeStarted() {
        return hedgeStarted;
    }

    /**
     * @param primary the route's attempt
     * @param hedge   the hedge route's attempt: resolves that route's key, then sends
     */
    Attempt.Try run(RouteConfig route, Contender.Work primary, RouteConfig hedgeRoute, Contender.Work hedge) {
        hedgeStarted = false;
        BlockingQueue<Contender> finished = new LinkedBlockingQueue<>();
        Contender first = Contender.start(route.name(), primary, finished);
        Contender second = null;
        try {
            if (next(finished, route.hedge().afterMs()) != null) {
                // The route answered (or failed) in time: no hedge.
                return decided(first, null, first.succeeded() ? first : null, hedgeRoute);
            }
            if (deadline.passed()) {
                return outOfTime(first, null, hedgeRoute);
            }
            second = Contender.start(hedgeRoute.name(), hedge, finished);
            hedgeStarted = true;
            int failed = 0;
            while (true) {
                Contender next = next(finished, Long.MAX_VALUE);
                if (next == null) {
                    return outOfTime(first, second, hedgeRoute);
                }
                if (next.succeeded()) {
                    return decided(first, second, next, hedgeRoute);
                }
                if (++failed == 2) {
                    return decided(first, second, null, hedgeRoute);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            first.cancel();
            if (second != null) {
                second.cancel();
            }
            return Attempt.Try.settled(RouteResult.done(new Outcome.Failure(
                    ErrorContract.unsendable(route.name(), "interrupted while racing a hedge"))));
        }
    }

    /** The next finished attempt, waiting at most {@code millis} and never past the deadline; null when none came. */
    private Contender next(BlockingQueue<Contender> finished, long millis) throws InterruptedException {
        long wait = Math.min(millis, deadline.millisLeft());
        if (wait == Long.MAX_VALUE) {
            return finished.take();
        }
        return wait <= 0 ? finished.poll() : finished.poll(wait, TimeUnit.MILLISECONDS);
    }

    /**
     * The race is over: {@code winner}, the first to succeed, is relayed and the other cancelled;
     * with no winner (both failed) the route's attempt's failure goes on. The log is told the
     * other's attempts first and the result's last, so its upstream route and status are the result's.
     */
    private Attempt.Try decided(Contender first, Contender second, Contender winner, RouteConfig hedgeRoute) {
        Contender last = winner != null ? winner : first;
        Contender other = last == first ? second : first;
        if (winner != null && other != null) {
            other.cancel();
        }
        if (other != null) {
            passOn(other);
        }
        passOn(last);
        log.hedge(hedgeRoute.name(), second != null, winner == null ? "none" : winner == first ? "primary" : "hedge",
                first.elapsedMs(), second == null ? null : second.elapsedMs());
        return last.result() != null ? last.result() : failedWithoutResult(last);
    }

    private Attempt.Try outOfTime(Contender first, Contender second, RouteConfig hedgeRoute) {
        first.cancel();
        passOn(first);
        if (second != null) {
            second.cancel();
            passOn(second);
        }
        log.hedge(hedgeRoute.name(), second != null, "none", first.elapsedMs(),
                second == null ? null : second.elapsedMs());
        return Attempt.Try.settled(RouteResult.done(new Outcome.Failure(
                ErrorContract.deadlineBeforeAnswer(deadlineMarginMs))));
    }

    /** What the attempt said so far; one still running when cancelled is recorded as such. */
    private void passOn(Contender contender) {
        if (!contender.finished()) {
            contender.log().attempt(contender.routeName(), "cancelled");
        }
        contender.log().passOn(log);
    }

    /** A contender that sent nothing (its race was over before it could): a failure that helps no one. */
    private static Attempt.Try failedWithoutResult(Contender contender) {
        return Attempt.Try.settled(RouteResult.failed(new Outcome.Failure(
                ErrorContract.unsendable(contender.routeName(), "the hedged attempt was not sent"))));
    }
}

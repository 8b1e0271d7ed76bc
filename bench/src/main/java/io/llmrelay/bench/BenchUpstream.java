package io.llmrelay.bench;

import java.util.concurrent.atomic.AtomicLongArray;

/** What the cold-start bench needs of an upstream: where it is, and when it sent a tagged request's chunks. */
interface BenchUpstream {
    /** The route's {@code baseUrl} ({@code http://} or {@code https://127.0.0.1:port/v1}). */
    String baseUrl();

    /** Send times (System.nanoTime) of the tagged request's chunks, in order; null if never seen. */
    AtomicLongArray sentTimes(String tag);

    void forget(String tag);
}

package io.llmrelay.cli.probe;

import java.util.function.Function;

/** The per-request figures that are summarised over requests and compared between sides: one table. */
enum Metric {
    HEADERS("headers", "headersMs", true, Outcome::headersMs),
    FIRST_CONTENT("first content", "firstContentMs", true, Outcome::firstContentMs),
    TOTAL("total", "totalMs", true, Outcome::totalMs),
    GAP_P50("gap p50", "gapP50Ms", true, Outcome::gapP50Ms),
    GAP_P99("gap p99", "gapP99Ms", true, Outcome::gapP99Ms),
    GAP_MAX("gap max", "gapMaxMs", true, Outcome::gapMaxMs),
    CHUNKS("chunks", "chunks", false, o -> (double) o.chunks()),
    HELD_BACK("held back", "heldBack", false, o -> (double) o.heldBack());

    final String label;
    final String jsonName;
    /** Milliseconds (printed with a decimal) rather than a count. */
    final boolean millis;
    final Function<Outcome, Double> value;

    Metric(String label, String jsonName, boolean millis, Function<Outcome, Double> value) {
        this.label = label;
        this.jsonName = jsonName;
        this.millis = millis;
        this.value = value;
    }
}

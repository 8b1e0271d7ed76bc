package io.llmrelay.cli.probe;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.time.Instant;
import java.util.List;

/**
 * {@code --json FILE}: every measurement, in the format {@link ProbeOptions#JSON_FORMAT} documents
 * (and the README's "Check a deployed URL with probe"). Keys are never written: only whether one was given.
 */
final class JsonReport {
    static final String FORMAT = "llm-relay-probe/1";

    private JsonReport() {}

    static String render(ProbeOptions options, Instant startedAt, List<Outcome> outcomes, List<Summary> summaries) {
        ObjectNode root = Json.object();
        root.put("format", FORMAT);
        root.put("startedAt", startedAt.toString());
        root.put("requestsPerTarget", options.requests());
        root.put("concurrency", options.concurrency());
        root.put("prompt", options.prompt());
        root.put("burstRule", BurstRule.DEFINITION.replace('\n', ' '));
        ArrayNode targets = root.putArray("targets");
        for (Summary s : summaries) {
            targets.add(target(s));
        }
        ArrayNode requests = root.putArray("requests");
        for (Outcome o : outcomes) {
            requests.add(request(o));
        }
        if (summaries.size() == 2) {
            ArrayNode comparison = root.putArray("comparison");
            for (Summary.Difference d : Summary.compare(summaries.get(0), summaries.get(1))) {
                ObjectNode row = comparison.addObject().put("metric", d.metric().jsonName);
                put(row, "a", d.a());
                put(row, "b", d.b());
                put(row, "difference", d.difference());
                put(row, "ratio", d.ratio());
            }
        } else {
            root.putNull("comparison");
        }
        return Json.write(root);
    }

    private static ObjectNode target(Summary s) {
        Target t = s.target();
        ObjectNode node = Json.object().put("side", t.side()).put("url", t.display()).put("model", t.model())
                .put("keyGiven", t.key() != null).put("requests", s.requests()).put("ok", s.ok());
        ObjectNode summary = node.putObject("summary");
        for (Metric m : Metric.values()) {
            ObjectNode dist = summary.putObject(m.jsonName);
            put(dist, "median", s.metrics().get(m).median());
            put(dist, "p90", s.metrics().get(m).p90());
        }
        return node;
    }

    private static ObjectNode request(Outcome o) {
        ObjectNode node = Json.object().put("side", o.side()).put("number", o.number()).put("ok", o.ok());
        if (o.status() == null) {
            node.putNull("status");
        } else {
            node.put("status", o.status());
        }
        node.put("error", o.error());
        put(node, "headersMs", o.headersMs());
        put(node, "firstContentMs", o.firstContentMs());
        put(node, "totalMs", o.totalMs());
        node.put("chunks", o.chunks()).put("doneCount", o.doneCount());
        put(node, "gapP50Ms", o.gapP50Ms());
        put(node, "gapP99Ms", o.gapP99Ms());
        put(node, "gapMaxMs", o.gapMaxMs());
        node.put("heldBack", o.heldBack());
        ArrayNode bursts = node.putArray("bursts");
        for (BurstRule.Burst b : o.bursts()) {
            bursts.addObject().put("firstEvent", b.firstEvent()).put("events", b.events()).put("pauseMs", round(b.pauseMs()));
        }
        ArrayNode events = node.putArray("events");
        for (Outcome.TimedEvent e : o.events()) {
            ObjectNode event = events.addObject().put("atMs", round(e.atMs()));
            put(event, "gapMs", e.gapMs());
            event.put("kind", e.kind().jsonName());
        }
        return node;
    }

    private static void put(ObjectNode node, String field, Double value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, round(value));
        }
    }

    /** Microsecond resolution: finer would claim a precision the clock and the threads do not have. */
    private static double round(double ms) {
        return Math.round(ms * 1000.0) / 1000.0;
    }
}

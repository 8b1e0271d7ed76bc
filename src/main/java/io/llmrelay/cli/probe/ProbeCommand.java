package io.llmrelay.cli.probe;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code probe URL}: streams chat requests to any OpenAI-compatible endpoint and shows how the
 * answers arrived, so anyone can check on their own account that a deployed URL streams event by
 * event, and with {@code --compare} what the relay adds over the provider reached directly.
 */
public final class ProbeCommand {
    public static final String USAGE = """
            usage: java -jar llm-relay.jar probe URL [options]

            Streams chat requests to an OpenAI-compatible endpoint (a deployed Function URL, serve,
            a provider) and shows how each answer arrived: time to the response headers and to the
            first content, the gaps between events, events held back and let go in bursts, and
            whether exactly one [DONE] came. URL is a base such as https://<id>.lambda-url.<region>.on.aws/v1
            (/chat/completions is appended) or a full .../chat/completions URL.

              --key K              API key, sent as 'Authorization: Bearer K'; env:NAME reads it from the
                                   environment variable NAME (keeps it out of the process list). Never printed.
              --model M            the model to ask for (default gpt-4o-mini)
              --prompt TEXT        the user message (default: "Count from 1 to 20, one number per line, nothing else.")
              --requests N         requests per URL, 1 to 10000 (default 5)
              --concurrency C      requests in flight at once, 1 to 256 (default 1)
              --timeout S          longest one request may take, in seconds, 1 to 3600 (default 120)
              --json FILE          also write every measurement to FILE as JSON (format below)
              --compare URL2       also probe URL2 (say, the provider directly), interleaving A B A B ...,
                                   and print A - B per metric: what A (the relay) adds
              --compare-key K2     the key for URL2 (env:NAME works too; default: none)
              --compare-model M2   the model for URL2 (default: the --model)
              -h, --help           this text

            Reading it: times are ms from sending the request (a request that opens a connection
            includes connecting and TLS). headers = the response head arrived; first content = the
            first chunk whose delta has non-empty content or tool_calls; total = the body ended;
            chunks = data: events other than [DONE], each timed when its last byte was read;
            gap = time between consecutive chunks, as p50 / p99 / max per request; [DONE] = how
            many came (exactly 1 is right).
            The summary shows median / p90 over the requests that were ok.

            Bursts: %s

            A request is ok when it got 200, text/event-stream, exactly one [DONE], no error event
            and only JSON chunks; otherwise the problems list says why, with the server's message.
            Exit status: 0 when every request was ok, 1 otherwise, 2 for a usage error.

            --json FILE (format "llm-relay-probe/1"; times in ms, null where not reached):
              {"format", "startedAt" (ISO-8601), "requestsPerTarget", "concurrency", "prompt", "burstRule",
               "targets": [{"side": "A"|"B", "url", "model", "keyGiven", "requests", "ok",
                            "summary": {"headersMs"|"firstContentMs"|"totalMs"|"gapP50Ms"|"gapP99Ms"|"gapMaxMs"
                                        |"chunks"|"heldBack": {"median", "p90"}}}],
               "requests": [{"side", "number", "ok", "status", "error", "headersMs", "firstContentMs", "totalMs",
                             "chunks", "doneCount", "gapP50Ms", "gapP99Ms", "gapMaxMs", "heldBack",
                             "bursts": [{"firstEvent" (index into events), "events", "pauseMs"}],
                             "events": [{"atMs", "gapMs", "kind": "content"|"chunk"|"done"|"error"|"invalid"}]}],
               "comparison": null, or [{"metric", "a", "b", "difference" (a - b), "ratio" (a / b)}]}
            """.formatted(BurstRule.DEFINITION.replace("\n", "\n        "));

    private ProbeCommand() {}

    public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        try (HttpClient http = ProbeClient.defaultHttpClient()) {
            return run(args, env, out, err, http, System.console() != null);
        }
    }

    /** @param interactive whether {@code err} is a terminal, where the progress line is rewritten in place */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, HttpClient http,
            boolean interactive) {
        ProbeOptions options;
        try {
            options = ProbeOptions.parse(args, env);
        } catch (IllegalArgumentException e) {
            err.println("probe: " + e.getMessage());
            err.println("(java -jar llm-relay.jar probe --help lists the options)");
            return 2;
        }
        if (options == null) {
            out.print(USAGE);
            return 0;
        }
        Instant started = Instant.now();
        ProbeClient client = new ProbeClient(http, options.prompt(), Duration.ofSeconds(options.timeoutSeconds()));
        List<Target> targets = options.targets();
        List<Outcome> outcomes;
        try {
            outcomes = ProbeRun.run(targets, options.requests(), options.concurrency(), client,
                    new Progress(err, interactive, options.requests() * targets.size()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("probe: interrupted");
            return 1;
        }
        List<Summary> summaries = targets.stream().map(t -> Summary.of(t, outcomes)).toList();
        out.print(masked(TextReport.render(options, outcomes, summaries), targets));
        out.flush();
        if (options.json() != null) {
            try {
                Files.writeString(options.json(), masked(JsonReport.render(options, started, outcomes, summaries), targets));
                out.println("measurements written to " + options.json());
            } catch (IOException e) {
                err.println("probe: could not write the --json file " + options.json() + ": " + e.getMessage());
                return 1;
            }
        }
        return outcomes.stream().allMatch(Outcome::ok) ? 0 : 1;
    }

    /**
     * {@code text} with the keys replaced: a server may quote the key it was sent in an error
     * message, and the report holds those messages.
     */
    static String masked(String text, List<Target> targets) {
        String out = text;
        for (Target t : targets) {
            if (t.key() != null && !t.key().isEmpty()) {
                out = out.replace(t.key(), "******");
            }
        }
        return out;
    }
}

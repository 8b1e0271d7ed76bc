package io.llmrelay.cli;

import io.llmrelay.cli.probe.ProbeCommand;
import io.llmrelay.runtime.LambdaMain;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code java -jar llm-relay.jar <command>}. Each command lives in its own class and is only
 * loaded when chosen, so {@code lambda} pays for nothing that {@code serve} needs.
 */
public final class Main {
    private static final String USAGE = """
            usage: java -jar llm-relay.jar <command> [options]

            commands:
              serve [--port 8080] [--config FILE] [--no-auth]   run the relay locally as a Function URL
              caller-key new --name NAME                         make a caller key and its config entry
              encrypt-key --kms-key-id ID --route NAME           encrypt an upstream key read from stdin into a kms: reference
              probe URL [--key K] [--compare URL2] ...            stream requests to a URL and show how the chunks arrived (probe --help)
              lambda                                             the runtime loop, inside AWS Lambda
              help                                               this text
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * The runtime loop, with the cold-start warm-up ({@link Prewarm}) beside it: on another thread
     * while init runs, or, where init is ahead of any request (SnapStart, provisioned concurrency),
     * to completion first. {@code RELAY_PREWARM=off} turns it off (to measure it, or should it
     * ever get in the way).
     */
    static int lambda(Map<String, String> env) {
        String api = env.get("AWS_LAMBDA_RUNTIME_API");
        if (api != null && !api.isBlank() && !"off".equalsIgnoreCase(env.getOrDefault("RELAY_PREWARM", ""))) {
            if (Prewarm.initAheadOfRequests(env)) {
                Prewarm.run();
            } else if (Runtime.getRuntime().availableProcessors() > 1) {
                // On one CPU there is no other core to overlap with, so the warm-up costs time
                // instead of saving it (bench/ coldstart --cpus 0; README "Performance").
                Prewarm.inBackground();
            }
        }
        return LambdaMain.run(env);
    }

    static int run(String[] args) {
        if (args.length == 0) {
            System.err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "lambda" -> lambda(System.getenv());
            case "serve" -> ServeCommand.run(rest, System.getenv(), System.out, System.err);
            case "caller-key" -> CallerKeyCommand.run(rest, System.out, System.err);
            case "encrypt-key" -> EncryptKeyCommand.run(rest, System.in, System.out, System.err, System.getenv());
            case "probe" -> ProbeCommand.run(rest, System.getenv(), System.out, System.err);
            case "help", "--help", "-h" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> {
                System.err.println("llm-relay: unknown command '" + args[0] + "'");
                System.err.print(USAGE);
                yield 2;
            }
        };
    }
}

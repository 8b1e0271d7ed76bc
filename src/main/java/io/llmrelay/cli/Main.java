package io.llmrelay.cli;

import io.llmrelay.cli.probe.ProbeCommand;
import io.llmrelay.runtime.LambdaMain;
import io.llmrelay.upstream.http.JdkHttp;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code java -jar llm-relay.jar <command>}. Each command lives in its own class and is only
 * loaded when chosen, so {@code lambda} pays for nothing that {@code serve} needs.
 */
public final class Main {
    static final String USAGE = """
            usage: java -jar llm-relay.jar <command> [options]     (in a checkout: ./llm-relay <command> [options])

            commands:
              serve        run the relay locally as a Function URL, on 127.0.0.1
                           [--port 8080] [--config FILE] [--no-auth] [--concurrency 16] [--queue N] [--timeout 300]
                           [--invocations-per-environment 1]
              caller-key   make a caller key and the "callers" entry holding its hash
                           new --name NAME
              encrypt-key  encrypt an upstream key read from standard input into a kms: reference
                           --kms-key-id ID (default $RELAY_KMS_KEY_ID) --route NAME
              probe        stream requests to a URL and show how the chunks arrived
                           URL [--key K] [--model M] [--prompt TEXT] [--requests N] [--concurrency C]
                           [--timeout S] [--json FILE] [--compare URL2] [--compare-key K2] [--compare-model M2]
              lambda       the runtime loop, inside AWS Lambda (relay-wrapper starts it; no options)
              help [COMMAND]  this text, or COMMAND's own

            Every command takes -h or --help for its own usage.
            """;

    static final String LAMBDA_USAGE = """
            usage: java -jar llm-relay.jar lambda

              The relay's Lambda runtime loop: talks to the Runtime API at $AWS_LAMBDA_RUNTIME_API and
              runs the handler named by $_HANDLER. relay-wrapper (AWS_LAMBDA_EXEC_WRAPPER) starts it
              inside Lambda; it takes no options. To run the relay on your machine, use serve.
            """;

    private Main() {}

    public static void main(String[] args) {
        JdkHttp.configureClients(); // before anything (Prewarm's threads included) builds an HttpClient
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
        return run(args, System.in, System.out, System.err, System.getenv());
    }

    /** The command line with its standard streams and environment given (tests give their own). */
    static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "lambda" -> rest.length == 0 ? lambda(env) : lambdaArguments(rest, out, err);
            case "serve" -> ServeCommand.run(rest, env, out, err);
            case "caller-key" -> CallerKeyCommand.run(rest, out, err);
            case "encrypt-key" -> EncryptKeyCommand.run(rest, in, out, err, env);
            case "probe" -> ProbeCommand.run(rest, env, out, err);
            case "help", "--help", "-h" -> {
                if (rest.length == 1 && !rest[0].startsWith("-") && !rest[0].equals("help")) {
                    yield run(new String[] {rest[0], "--help"}, in, out, err, env);
                }
                out.print(USAGE);
                yield 0;
            }
            default -> {
                err.println("llm-relay: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield 2;
            }
        };
    }

    /** {@code lambda} takes no options: its help, or an error that says so. */
    private static int lambdaArguments(String[] rest, PrintStream out, PrintStream err) {
        if (rest[0].equals("--help") || rest[0].equals("-h")) {
            out.print(LAMBDA_USAGE);
            return 0;
        }
        err.println("lambda: takes no options, was given '" + rest[0] + "'");
        err.print(LAMBDA_USAGE);
        return 2;
    }
}

package io.llmrelay.runtime;

import java.io.PrintStream;
import java.util.Map;

/**
 * The entry point on Lambda ({@code java ... io.llmrelay.cli.Main lambda}, started by the exec
 * wrapper): reads the Runtime API address, the handler, the initialization type and the
 * concurrency from the environment and runs the execution environment's runtime.
 */
public final class LambdaMain {
    public static final String USER_AGENT = "llm-relay-runtime/0.1";
    /** Lambda Managed Instances: how many invocations one environment may run at once. */
    public static final String ENV_MAX_CONCURRENCY = "AWS_LAMBDA_MAX_CONCURRENCY";
    /** The most loops one process runs, as the managed Java runtime's client allows (ConcurrencyConfig). */
    static final int MAX_LOOPS = 1000;
    /** The exit status after a failed after-restore step, as the managed Java runtime's client's. */
    static final int RESTORE_FAILED_STATUS = 64;

    private LambdaMain() {}

    public static int run(Map<String, String> env) {
        String api = env.get("AWS_LAMBDA_RUNTIME_API");
        if (api == null || api.isBlank()) {
            System.err.println("llm-relay lambda: AWS_LAMBDA_RUNTIME_API is not set. This command runs inside"
                    + " AWS Lambda (or against a Runtime API emulator); to run the relay locally use"
                    + " `java -jar target/llm-relay.jar serve`.");
            return 2;
        }
        try {
            new RuntimeApiClient(api, USER_AGENT).close(); // checks the address once, before anything starts
        } catch (IllegalArgumentException e) {
            System.err.println("llm-relay lambda: " + e.getMessage());
            return 2;
        }
        int loops = loops(env, System.out);
        ExecutionEnvironment environment = new ExecutionEnvironment(() -> new RuntimeApiClient(api, USER_AGENT),
                HandlerFactory.named(env.get("_HANDLER")), FunctionEnvironment.from(env), System::currentTimeMillis,
                System.out, loops, SnapStartRestore.requested(env));
        // Any exit but a requested stop ends the process with a failure: Lambda then replaces the
        // environment (after INIT_FAILED it reports the init error to the caller).
        return switch (environment.run()) {
            case INIT_FAILED -> 3;
            case STOPPED -> 0;
            case RUNTIME_API_FAILED, FATAL_ERROR -> 1;
            case RESTORE_FAILED -> RESTORE_FAILED_STATUS;
        };
    }

    /**
     * How many runtime loops: {@value #ENV_MAX_CONCURRENCY} when set (1 to {@value #MAX_LOOPS}),
     * else 1. A value that is not such a number is reported on {@code warnings} and read as 1, as
     * the managed Java runtime's client does ("Defaulting to no concurrency").
     */
    static int loops(Map<String, String> env, PrintStream warnings) {
        String value = env.get(ENV_MAX_CONCURRENCY);
        if (value == null || value.isBlank()) {
            return 1;
        }
        try {
            int n = Integer.parseInt(value.strip());
            if (n >= 1 && n <= MAX_LOOPS) {
                if (n > 1) {
                    warnings.println("llm-relay runtime: " + n + " concurrent runtime loops (" + ENV_MAX_CONCURRENCY + ")");
                }
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        warnings.println("llm-relay runtime: " + ENV_MAX_CONCURRENCY + " must be a whole number from 1 to "
                + MAX_LOOPS + ", was '" + value.strip() + "'; running one loop");
        return 1;
    }
}

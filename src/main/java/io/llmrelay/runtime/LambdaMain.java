package io.llmrelay.runtime;

import java.util.Map;

/**
 * The entry point on Lambda ({@code java ... io.llmrelay.cli.Main lambda}, started by the exec
 * wrapper): reads the Runtime API address and the handler from the environment and runs the loop.
 */
public final class LambdaMain {
    public static final String USER_AGENT = "llm-relay-runtime/0.1";

    private LambdaMain() {}

    public static int run(Map<String, String> env) {
        String api = env.get("AWS_LAMBDA_RUNTIME_API");
        if (api == null || api.isBlank()) {
            System.err.println("llm-relay lambda: AWS_LAMBDA_RUNTIME_API is not set. This command runs inside"
                    + " AWS Lambda (or against a Runtime API emulator); to run the relay locally use"
                    + " `java -jar target/llm-relay.jar serve`.");
            return 2;
        }
        RuntimeApiClient client;
        try {
            client = new RuntimeApiClient(api, USER_AGENT);
        } catch (IllegalArgumentException e) {
            System.err.println("llm-relay lambda: " + e.getMessage());
            return 2;
        }
        RuntimeLoop loop = new RuntimeLoop(client, HandlerFactory.named(env.get("_HANDLER")),
                FunctionEnvironment.from(env), System::currentTimeMillis, System.out);
        // Any exit but a requested stop ends the process with a failure: Lambda then replaces the
        // environment (after INIT_FAILED it reports the init error to the caller).
        return switch (loop.run()) {
            case INIT_FAILED -> 3;
            case STOPPED -> 0;
            case RUNTIME_API_FAILED, FATAL_ERROR -> 1;
        };
    }
}

package io.llmrelay.runtime;

import java.util.Map;

/** What Lambda tells a function about itself through reserved environment variables. */
public record FunctionEnvironment(
        String functionName, String functionVersion, int memoryLimitMb, String logGroupName, String logStreamName) {

    public static FunctionEnvironment from(Map<String, String> env) {
        return new FunctionEnvironment(
                env.getOrDefault("AWS_LAMBDA_FUNCTION_NAME", "llm-relay"),
                env.getOrDefault("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                parseMemory(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")),
                env.getOrDefault("AWS_LAMBDA_LOG_GROUP_NAME", ""),
                env.getOrDefault("AWS_LAMBDA_LOG_STREAM_NAME", ""));
    }

    private static int parseMemory(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

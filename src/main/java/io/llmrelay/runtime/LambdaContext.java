package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/** The {@link Context} of one invocation, built from the headers of {@code next}. */
public final class LambdaContext implements Context {
    private static final LambdaLogger STDOUT_LOGGER = new LambdaLogger() {
        @Override
        public void log(String message) {
            System.out.println(message);
        }

        @Override
        public void log(byte[] message) {
            log(new String(message, StandardCharsets.UTF_8));
        }
    };

    private final Invocation invocation;
    private final FunctionEnvironment function;
    private final LongSupplier clock;

    public LambdaContext(Invocation invocation, FunctionEnvironment function, LongSupplier epochMillisClock) {
        this.invocation = invocation;
        this.function = function;
        this.clock = epochMillisClock;
    }

    public Invocation invocation() {
        return invocation;
    }

    @Override
    public String getAwsRequestId() {
        return invocation.requestId();
    }

    @Override
    public String getLogGroupName() {
        return function.logGroupName();
    }

    @Override
    public String getLogStreamName() {
        return function.logStreamName();
    }

    @Override
    public String getFunctionName() {
        return function.functionName();
    }

    @Override
    public String getFunctionVersion() {
        return function.functionVersion();
    }

    @Override
    public String getInvokedFunctionArn() {
        return invocation.invokedFunctionArn();
    }

    @Override
    public CognitoIdentity getIdentity() {
        JsonNode identity = parse(invocation.cognitoIdentityJson());
        if (identity == null) {
            return null;
        }
        String id = identity.path("cognitoIdentityId").asText(null);
        String pool = identity.path("cognitoIdentityPoolId").asText(null);
        return new CognitoIdentity() {
            @Override
            public String getIdentityId() {
                return id;
            }

            @Override
            public String getIdentityPoolId() {
                return pool;
            }
        };
    }

    @Override
    public ClientContext getClientContext() {
        JsonNode context = parse(invocation.clientContextJson());
        return context == null ? null : MobileClientContext.from(context);
    }

    /**
     * Milliseconds until Lambda's deadline for this invocation; never negative. An invocation that
     * came without {@code Lambda-Runtime-Deadline-Ms} (Lambda always sends it; only a test harness
     * leaves it out) has no deadline: {@link Integer#MAX_VALUE}, which the relay reads as unbounded.
     */
    @Override
    public int getRemainingTimeInMillis() {
        if (invocation.deadlineEpochMs() <= 0) {
            return Integer.MAX_VALUE;
        }
        long remaining = invocation.deadlineEpochMs() - clock.getAsLong();
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, remaining));
    }

    /** The invocation's X-Ray tracing header ({@code Lambda-Runtime-Trace-Id}); null when Lambda sent none. */
    @Override
    public String getXrayTraceId() {
        return invocation.traceId();
    }

    @Override
    public int getMemoryLimitInMB() {
        return function.memoryLimitMb();
    }

    @Override
    public LambdaLogger getLogger() {
        return STDOUT_LOGGER;
    }

    private static JsonNode parse(String json) {
        if (json == null || json.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return null;
        }
    }
}

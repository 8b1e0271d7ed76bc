package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Whole lines for a few named outcomes, to read what the relay writes (the property test covers the rest). */
class EmfWriterTest {
    private static final String DIRECTIVE_HEAD = "{\"_aws\":{\"Timestamp\":1760000000123,\"CloudWatchMetrics\":[{"
            + "\"Namespace\":\"LLMRelay\",\"Dimensions\":[[],[\"Route\",\"Model\"],[\"Route\",\"Model\",\"Caller\"]],";
    private final EmfWriter writer = new EmfWriter(MetricsSettings.defaults(), () -> 1_760_000_000_123L);
    private final DimensionValues dimensions = new DimensionValues(Set.of("openai"), Set.of("vapi"), Set.of("gpt-4o-mini")::contains);

    @Test
    void aStreamedAnswerWithUsage() {
        RequestOutcome outcome = new RequestOutcome("6a1f0c2e-61f4-4c1e-9d9e-0a4f1b2c3d4e", "openai", "gpt-4o-mini", "vapi",
                200, null, OptionalDouble.of(212.5), 1830.25, OptionalLong.of(420), OptionalLong.of(96), 1, 0);
        assertEquals(DIRECTIVE_HEAD + "\"Metrics\":[{\"Name\":\"Requests\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"TimeToFirstByte\",\"Unit\":\"Milliseconds\"},{\"Name\":\"Duration\",\"Unit\":\"Milliseconds\"},"
                + "{\"Name\":\"PromptTokens\",\"Unit\":\"Count\"},{\"Name\":\"CompletionTokens\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"Errors\",\"Unit\":\"Count\"},{\"Name\":\"Retries\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"Fallbacks\",\"Unit\":\"Count\"}]}]},"
                + "\"log\":\"metrics\",\"requestId\":\"6a1f0c2e-61f4-4c1e-9d9e-0a4f1b2c3d4e\",\"Route\":\"openai\","
                + "\"Model\":\"gpt-4o-mini\",\"Caller\":\"vapi\",\"Status\":200,\"Requests\":1,\"TimeToFirstByte\":212.5,"
                + "\"Duration\":1830.25,\"PromptTokens\":420,\"CompletionTokens\":96,\"Errors\":0,\"Retries\":1,"
                + "\"Fallbacks\":0}", writer.line(outcome, dimensions));
    }

    @Test
    void aRequestRefusedBeforeRoutingHasNoFirstByteNorTokens() {
        RequestOutcome outcome = new RequestOutcome(null, null, "whatever-they-typed", null, 401, "invalid_api_key",
                OptionalDouble.empty(), 0.75, OptionalLong.empty(), OptionalLong.empty(), 0, 0);
        assertEquals(DIRECTIVE_HEAD + "\"Metrics\":[{\"Name\":\"Requests\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"Duration\",\"Unit\":\"Milliseconds\"},{\"Name\":\"Errors\",\"Unit\":\"Count\"},"
                + "{\"Name\":\"Retries\",\"Unit\":\"Count\"},{\"Name\":\"Fallbacks\",\"Unit\":\"Count\"}]}]},"
                + "\"log\":\"metrics\",\"Route\":\"none\",\"Model\":\"other\",\"Caller\":\"anonymous\",\"Status\":401,"
                + "\"ErrorCode\":\"invalid_api_key\",\"Requests\":1,\"Duration\":0.75,\"Errors\":1,\"Retries\":0,"
                + "\"Fallbacks\":0}", writer.line(outcome, dimensions));
    }

    @Test
    void aCallerHangingUpIsNoError() {
        RequestOutcome outcome = new RequestOutcome(null, "openai", "gpt-4o-mini", "vapi", 200,
                ErrorCodes.CALLER_DISCONNECTED, OptionalDouble.of(300), 900, OptionalLong.empty(), OptionalLong.empty(), 0, 0);
        String line = writer.line(outcome, dimensions);
        assertEquals(true, line.contains("\"ErrorCode\":\"caller_disconnected\""), line);
        assertEquals(true, line.contains("\"Errors\":0"), line);
    }
}

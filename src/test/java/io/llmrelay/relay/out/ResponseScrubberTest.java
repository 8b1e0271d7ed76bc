package io.llmrelay.relay.out;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.watch.Deadline;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How a request's scrubbing honours the invocation's deadline: inputs under a megabyte are
 * scrubbed whatever the time (they never look at it); a larger one that reaches the deadline is
 * not sent at all, and an upstream error text that does is replaced whole.
 */
class ResponseScrubberTest {
    private static final String KEY = "sk-response-scrubber-key";
    /** Past its stop point from the start: 5 ms left, a 1000 ms margin. */
    private static final Deadline PASSED = Deadline.of(new RemainingTime(5), 1000);
    private static final String LARGE = ("{\"content\":\"echo " + KEY + " \\u00e9\\n\"} ").repeat(50_000);

    @Test
    void smallInputsAreScrubbedEvenPastTheDeadline() throws Exception {
        ResponseScrubber scrubber = ResponseScrubber.of(List.of(KEY), PASSED);
        assertEquals("data: {\"c\":\"[redacted]\"}\n\n",
                new String(scrubber.answer(("data: {\"c\":\"" + KEY.replace("-", "\\u002d") + "\"}\n\n").getBytes(UTF_8)), UTF_8));
        byte[] clean = "data: {\"c\":\"nothing\"}\n\n".getBytes(UTF_8);
        assertSame(clean, scrubber.answer(clean));
        assertEquals("Incorrect API key provided: [redacted]", scrubber.upstreamText("Incorrect API key provided: sk-ab***yz"));
    }

    @Test
    void aLargeAnswerThatReachesTheDeadlineIsNotSent() {
        assertTrue(PASSED.passed());
        ResponseScrubber scrubber = ResponseScrubber.of(List.of(KEY), PASSED);
        byte[] large = LARGE.getBytes(UTF_8);
        assertThrows(ResponseScrubber.OutOfTime.class, () -> scrubber.answer(large));
        assertThrows(ResponseScrubber.OutOfTime.class, () -> scrubber.upstreamErrorBody(large));
        OpenAiError error = scrubber.error(new OpenAiError(502, LARGE, "api_error", null, "code"));
        assertEquals("[redacted]", error.message(), "upstream text that could not be checked is not sent");
        assertEquals("code", error.code());
    }

    @Test
    void withoutADeadlineALargeAnswerIsScrubbedWhole() throws Exception {
        ResponseScrubber scrubber = ResponseScrubber.of(List.of(KEY), Deadline.NONE);
        String scrubbed = new String(scrubber.answer(LARGE.getBytes(UTF_8)), UTF_8);
        assertFalse(scrubbed.contains(KEY));
        assertEquals(LARGE.replace(KEY, "[redacted]"), scrubbed);
    }

    /** Only what {@link Deadline#of} asks a context for. */
    private record RemainingTime(int millis) implements Context {
        @Override
        public int getRemainingTimeInMillis() {
            return millis;
        }

        @Override
        public String getAwsRequestId() {
            return "response-scrubber-test";
        }

        @Override
        public String getLogGroupName() {
            return null;
        }

        @Override
        public String getLogStreamName() {
            return null;
        }

        @Override
        public String getFunctionName() {
            return null;
        }

        @Override
        public String getFunctionVersion() {
            return null;
        }

        @Override
        public String getInvokedFunctionArn() {
            return null;
        }

        @Override
        public CognitoIdentity getIdentity() {
            return null;
        }

        @Override
        public ClientContext getClientContext() {
            return null;
        }

        @Override
        public int getMemoryLimitInMB() {
            return 0;
        }

        @Override
        public LambdaLogger getLogger() {
            return null;
        }
    }
}

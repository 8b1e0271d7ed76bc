package io.llmrelay.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** {@link Usage} read from whole answers: the top-level usage only, the last one, counts that are whole numbers. */
class UsageTest {
    @Test
    void readsTheTopLevelUsageOfAWholeAnswer() {
        String completion = "{\"id\":\"c\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                + "\"assistant\",\"content\":\"{\\\"usage\\\":{\\\"prompt_tokens\\\":1}}\",\"usage\":{\"prompt_tokens\":2}}}],"
                + "\"usage\":{\"prompt_tokens\":15,\"completion_tokens\":3,\"total_tokens\":18}}";
        assertEquals(Usage.of(15, 3), Usage.in(completion.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void absentNullOrBrokenIsUnknown() {
        assertEquals(Usage.UNKNOWN, Usage.in("{\"choices\":[]}"));
        assertEquals(Usage.UNKNOWN, Usage.in("{\"usage\":null}"));
        assertEquals(Usage.UNKNOWN, Usage.in("{\"usage\":{\"prompt_tokens\":1},\"usage\":null}"), "the last one counts");
        assertEquals(Usage.UNKNOWN, Usage.in("not json"));
        assertEquals(Usage.UNKNOWN, Usage.in("[{\"usage\":{\"prompt_tokens\":1}}]"));
        assertEquals(new Usage(OptionalLong.of(7), OptionalLong.empty()),
                Usage.in("{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1e40}}"));
    }
}

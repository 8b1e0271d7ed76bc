package io.llmrelay.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The chat stream's own events: [DONE] and the error event. */
class ChatSseTest {

    @Test
    void doneIsTheDoneEvent() {
        assertEquals("data: [DONE]\n\n", text(ChatSse.done()));
    }

    @Test
    void doneHandsOutACopy() {
        ChatSse.done()[0] = 'X';
        assertEquals("data: [DONE]\n\n", text(ChatSse.done()));
    }

    @Test
    void rendersTheErrorEventExactly() {
        assertEquals("data: {\"error\":{\"message\":\"slow\",\"type\":\"api_error\",\"param\":null,"
                + "\"code\":\"upstream_timeout\"}}\n\n", text(ChatSse.errorEvent(OpenAiError.upstreamTimeout("slow"))));
    }

    @Test
    void theErrorEventReadsBackAsOpenAisErrorBody() throws IOException {
        OpenAiError error = OpenAiError.upstreamUnavailable("gone");
        SseEvent event = new SseReader(new ByteArrayInputStream(ChatSse.errorEvent(error))).next();
        assertEquals(error, OpenAiError.fromUpstreamBody(502, event.data().getBytes(StandardCharsets.UTF_8)));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

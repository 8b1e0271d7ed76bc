package io.llmrelay.upstream.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.EventPump;
import io.llmrelay.upstream.translation.OpenAiChunkStream;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.IOException;

/**
 * One ConverseStream response, message by message, as OpenAI chunks
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html):
 *
 * <pre>
 * message                                             chunk
 * event messageStart {role}                           role chunk
 * event contentBlockStart {start.toolUse}             tool call start (next dense index)
 * event contentBlockDelta {delta.text}                content
 * event contentBlockDelta {delta.toolUse.input}       tool call arguments fragment
 * event contentBlockDelta other (reasoningContent...) none
 * event contentBlockStop                              none; a tool call's arguments must now parse as one JSON object
 * event messageStop {stopReason}                      finish chunk (FinishReasons)
 * event metadata {usage}                              usage chunk, when the caller asked; input tokens (+ cache) kept
 * event of another type                               none, noted: event stream unions grow, and the AWS SDKs pass
 *                                                     unknown events over rather than fail
 * exception (throttlingException, ...)                StreamFailure from BedrockErrors
 * error (:error-code)                                 StreamFailure from BedrockErrors
 * </pre>
 *
 * Text blocks have no contentBlockStart in Converse; their deltas come directly. A payload that is
 * not a JSON object is invalid output; a stream that ends before messageStop was cut short.
 */
public final class BedrockStreamTranslator implements EventPump.Translator {
    static final String PROVIDER = "Bedrock";

    private final OpenAiChunkStream out;
    private final String route;
    private final TranslationNotes notes;
    private boolean stopped;
    private boolean done;

    public BedrockStreamTranslator(OpenAiChunkStream out, String route, TranslationNotes notes) {
        this.out = out;
        this.route = route;
        this.notes = notes;
    }

    public void onMessage(EventStreamMessage message) throws IOException, StreamFailure {
        switch (message.kind()) {
            case EXCEPTION -> throw BedrockErrors.failure(0, message.name(), payload(message).path("message").asText(null),
                    route);
            case ERROR -> throw BedrockErrors.failure(0, message.name(), message.errorMessage(), route);
            case EVENT -> onEvent(message.name(), payload(message));
        }
    }

    private void onEvent(String type, JsonNode event) throws IOException, StreamFailure {
        switch (type) {
            case "messageStart" -> out.start();
            case "contentBlockStart" -> {
                JsonNode toolUse = event.path("start").path("toolUse");
                if (toolUse.isObject()) {
                    out.toolStart(index(event), toolUse.path("toolUseId").asText(null), toolUse.path("name").asText(null));
                } else {
                    out.start();
                }
            }
            case "contentBlockDelta" -> {
                JsonNode delta = event.path("delta");
                if (delta.path("text").isTextual()) {
                    out.text(delta.get("text").asText());
                } else if (delta.path("toolUse").path("input").isTextual()) {
                    out.toolArguments(index(event), delta.path("toolUse").get("input").asText());
                }
            }
            case "contentBlockStop" -> out.blockStop(index(event));
            case "messageStop" -> {
                stopped = true;
                out.stop(event.path("stopReason").asText(null));
            }
            case "metadata" -> {
                JsonNode usage = event.path("usage");
                Long prompt = usage.path("inputTokens").isNumber() ? usage.get("inputTokens").asLong()
                        + usage.path("cacheReadInputTokens").asLong(0) + usage.path("cacheWriteInputTokens").asLong(0) : null;
                out.usage(prompt, usage.path("outputTokens").isNumber() ? usage.get("outputTokens").asLong() : null);
                if (stopped) {
                    done = true;
                    out.sendUsage();
                }
            }
            default -> notes.note(TranslationNotes.IGNORED_EVENT, "bedrock:" + type);
        }
    }

    /** The HTTP body ended: complete after messageStop (a missing metadata event only costs the counts). */
    @Override
    public void onEnd() throws IOException, StreamFailure {
        if (!stopped) {
            throw StreamFailure.cut(PROVIDER, "before messageStop");
        }
        if (!done) {
            done = true;
            out.sendUsage();
        }
    }

    /** The metadata event after messageStop has been translated: nothing more to read. */
    @Override
    public boolean isDone() {
        return done;
    }

    private static int index(JsonNode event) throws StreamFailure {
        JsonNode index = event.get("contentBlockIndex");
        if (index == null || !index.isIntegralNumber() || !index.canConvertToInt()) {
            throw StreamFailure.invalid(PROVIDER, "a content block event without a contentBlockIndex");
        }
        return index.intValue();
    }

    private static JsonNode payload(EventStreamMessage message) throws StreamFailure {
        if (message.payload().length == 0) {
            return Json.object();
        }
        JsonNode payload;
        try {
            payload = Json.MAPPER.readTree(message.payload());
        } catch (IOException e) {
            payload = null;
        }
        if (payload == null || !payload.isObject()) {
            throw StreamFailure.invalid(PROVIDER, "a " + message.name() + " event whose payload is not a JSON object ("
                    + message.payload().length + " bytes)");
        }
        return payload;
    }
}

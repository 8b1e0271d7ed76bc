package io.llmrelay.upstream.translation;

import static io.llmrelay.upstream.translation.RequestParameters.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.upstream.translation.ChatRequest.Part;
import io.llmrelay.upstream.translation.ChatRequest.Role;
import io.llmrelay.upstream.translation.ChatRequest.Turn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an OpenAI chat request (https://platform.openai.com/docs/api-reference/chat/create) into a
 * {@link ChatRequest}. Messages, by role:
 *
 * <pre>
 * system, developer  text                     -> system prompt, in order, wherever they stand
 * user               text, image_url parts    -> user turn (text; data: image -> inline image; http(s) -> remote image)
 * assistant          text/refusal, tool_calls -> assistant turn (text; each call -> tool use with parsed arguments)
 * tool               tool_call_id, text       -> user turn holding a tool result for that id
 * anything else      (function, unknown)      -> 400 naming messages[i].role
 * </pre>
 *
 * Consecutive turns of one role are merged into one: Bedrock requires alternating roles and
 * Anthropic merges them anyway. Empty text is dropped (both providers refuse empty text blocks).
 */
public final class ChatRequestReader {
    private ChatRequestReader() {}

    /**
     * Reads the caller's body, already validated by the relay as one JSON object with messages.
     *
     * @param provider how the provider is named in 400 messages, e.g. "Anthropic's Messages API"
     */
    public static ChatRequest read(byte[] body, String provider) throws InvalidRequestException {
        try {
            return read(Json.MAPPER.readTree(body), provider);
        } catch (IOException e) {
            throw new IllegalArgumentException("the relay passed on a body that is not JSON", e);
        }
    }

    /** @param provider how the provider is named in 400 messages, e.g. "Anthropic's Messages API" */
    public static ChatRequest read(JsonNode body, String provider) throws InvalidRequestException {
        List<String> dropped = RequestParameters.check(body, provider);
        List<String> system = new ArrayList<>();
        List<Turn> turns = new ArrayList<>();
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            readMessage(messages.get(i), "messages[" + i + "]", system, turns);
        }
        if (turns.isEmpty()) {
            throw invalid("messages", "The messages hold no user or assistant content to send to the model.");
        }
        JsonNode model = body.get("model");
        JsonNode includeUsage = body.path("stream_options").path("include_usage");
        return new ChatRequest(
                model != null && model.isTextual() ? model.asText() : null,
                body.path("stream").asBoolean(false),
                includeUsage.isBoolean() && includeUsage.booleanValue(),
                List.copyOf(system),
                List.copyOf(turns),
                ToolDefinitions.tools(body),
                ToolDefinitions.choice(body),
                body.path("parallel_tool_calls").isBoolean() ? body.get("parallel_tool_calls").booleanValue() : null,
                RequestParameters.maxTokens(body),
                RequestParameters.number(body, "temperature"),
                RequestParameters.number(body, "top_p"),
                RequestParameters.stop(body),
                List.copyOf(dropped));
    }

    private static void readMessage(JsonNode message, String at, List<String> system, List<Turn> turns)
            throws InvalidRequestException {
        String role = message.path("role").asText();
        switch (role) {
            case "system", "developer" -> {
                for (Part part : ContentParts.read(message.get("content"), at + ".content", false)) {
                    system.add(((ChatRequest.Text) part).text());
                }
            }
            case "user" -> add(turns, Role.USER, ContentParts.read(message.get("content"), at + ".content", true));
            case "assistant" -> {
                List<Part> parts = new ArrayList<>(ContentParts.read(message.get("content"), at + ".content", false));
                parts.addAll(ToolDefinitions.calls(message.get("tool_calls"), at + ".tool_calls"));
                if (message.hasNonNull("function_call")) {
                    throw invalid(at + ".function_call", "The deprecated function_call is not translated; use tool_calls.");
                }
                add(turns, Role.ASSISTANT, parts);
            }
            case "tool" -> {
                JsonNode id = message.get("tool_call_id");
                if (id == null || !id.isTextual() || id.asText().isEmpty()) {
                    throw invalid(at + ".tool_call_id", "Missing required parameter: '" + at + ".tool_call_id'.");
                }
                StringBuilder text = new StringBuilder();
                for (Part part : ContentParts.read(message.get("content"), at + ".content", false)) {
                    text.append(((ChatRequest.Text) part).text());
                }
                add(turns, Role.USER, List.of(new ChatRequest.ToolResult(id.asText(), text.toString())));
            }
            default -> throw invalid(at + ".role", "Invalid value for '" + at + ".role': '" + ContentParts.cut(role)
                    + "' is not translated; use system, developer, user, assistant or tool.");
        }
    }

    /** Appends to the last turn when it has the same role, so that roles alternate. */
    private static void add(List<Turn> turns, Role role, List<Part> parts) {
        if (parts.isEmpty()) {
            return;
        }
        Turn last = turns.isEmpty() ? null : turns.get(turns.size() - 1);
        if (last != null && last.role() == role) {
            List<Part> merged = new ArrayList<>(last.parts());
            merged.addAll(parts);
            turns.set(turns.size() - 1, new Turn(role, List.copyOf(merged)));
        } else {
            turns.add(new Turn(role, List.copyOf(parts)));
        }
    }
}

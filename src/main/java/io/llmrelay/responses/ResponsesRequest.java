package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.responses.RequestFields.Rule;
import java.util.List;
import java.util.Map;

/**
 * A {@code POST .../responses} body (https://developers.openai.com/api/reference/resources/responses/methods/create)
 * translated into the chat completions request a chat route serves. Stateless: whatever needs a
 * stored response or conversation is refused with a 400 naming the parameter. What becomes of
 * each field is the table in {@link RequestFields}.
 */
public final class ResponsesRequest {
    /**
     * Which chat field carries {@code max_output_tokens}. {@code max_tokens} is the default: it is
     * the field every OpenAI-compatible server reads (Ollama and LM Studio read only it and
     * silently ignore {@code max_completion_tokens}), and OpenAI accepts it for its non-reasoning
     * models. OpenAI's reasoning models (o-series, gpt-5) refuse it ("Unsupported parameter:
     * 'max_tokens' ... Use 'max_completion_tokens' instead."), so a route to them needs
     * {@link #MAX_COMPLETION_TOKENS}.
     */
    public enum TokenLimitField {
        MAX_TOKENS("max_tokens"), MAX_COMPLETION_TOKENS("max_completion_tokens");

        private final String field;

        TokenLimitField(String field) {
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    private final ObjectNode chat;
    private final boolean stream;
    private final ObjectNode echo;

    private ResponsesRequest(ObjectNode chat, boolean stream, ObjectNode echo) {
        this.chat = chat;
        this.stream = stream;
        this.echo = echo;
    }

    /** Reads a request body (strict UTF-8 JSON, as for chat) and translates it with {@code max_tokens}. */
    public static ResponsesRequest parse(byte[] body) throws InvalidRequestException {
        return from(JsonBody.read(body), TokenLimitField.MAX_TOKENS);
    }

    public static ResponsesRequest parse(byte[] body, TokenLimitField limit) throws InvalidRequestException {
        return from(JsonBody.read(body), limit);
    }

    /** Translates a parsed body; the body is not changed. */
    public static ResponsesRequest from(ObjectNode body, TokenLimitField limit) throws InvalidRequestException {
        ObjectNode chat = Json.object();
        String model = Params.optionalText(body, "model", "model");
        if (model != null) {
            chat.put("model", model);
        }
        String instructions = Params.optionalText(body, "instructions", "instructions");
        chat.set("messages", InputTranslation.messages(body.get("input"), instructions));
        boolean stream = false;
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            Rule rule = RequestFields.of(name);
            if (rule == null) {
                chat.set(name, value.deepCopy()); // not a Responses field: the upstream decides, as for chat
                continue;
            }
            switch (rule.handling()) {
                case COPIED -> {
                    if (!value.isNull()) { // null is how the SDKs say "not set"
                        chat.set(name, value.deepCopy());
                    }
                }
                case IGNORED -> { }
                case STATEFUL -> refuseWhenSet(name, value, "it keeps no conversation state, and this parameter "
                        + rule.why() + ". Send the whole conversation in 'input' instead.");
                case UNSUPPORTED -> refuseWhenSet(name, value, rule.why() + ".");
                case CHAT_ONLY -> throw Params.invalid(name, "Unknown parameter: '" + name + "'. It is a chat"
                        + " completions parameter, not a Responses one" + (rule.why() == null ? "."
                        : "; use '" + rule.why() + "' instead."));
                case TRANSLATED -> stream |= translate(name, value, chat, limit);
            }
        }
        if (chat.path("tools").isEmpty()) {
            // No tools, no calls: chat servers (OpenAI's among them) refuse an empty tools list, and
            // tool_choice or parallel_tool_calls without tools, which Responses callers may send.
            chat.remove(List.of("tools", "tool_choice", "parallel_tool_calls"));
        }
        if (stream) {
            // Responses streams end with usage (response.completed); a chat stream has it only on request.
            chat.putObject("stream_options").put("include_usage", true);
        }
        return new ResponsesRequest(chat, stream, RequestEcho.of(body));
    }

    /** One TRANSLATED field into {@code chat}; true when it is {@code stream: true}. */
    private static boolean translate(String name, JsonNode value, ObjectNode chat, TokenLimitField limit)
            throws InvalidRequestException {
        if (value.isNull()) {
            return false;
        }
        switch (name) {
            case "tools" -> chat.set("tools", ToolTranslation.tools(value));
            case "tool_choice" -> chat.set("tool_choice", ToolTranslation.toolChoice(value));
            case "text" -> TextTranslation.apply(value, chat);
            case "reasoning" -> reasoning(Params.object(value, "reasoning"), chat);
            case "include" -> include(value);
            case "max_output_tokens" -> {
                if (!(value.isNumber() && value.canConvertToExactIntegral())) {
                    throw Params.wrongType(name, "an integer", value);
                }
                chat.set(limit.field(), value);
            }
            case "stream" -> {
                chat.set("stream", bool(name, value));
                return value.booleanValue();
            }
            case "store" -> {
                if (bool(name, value).booleanValue()) {
                    throw Params.invalid(name, "'store': true is not supported: the relay keeps no conversation"
                            + " state and stores no responses. Omit 'store' or set it to false, and send the whole"
                            + " conversation in 'input'.");
                }
            }
            case "background" -> {
                if (bool(name, value).booleanValue()) {
                    throw Params.invalid(name, "'background': true is not supported: the relay keeps no responses"
                            + " to poll for later. Omit it and read the answer (or stream it) from this request.");
                }
            }
            default -> { } // model, input, instructions: read before the loop
        }
        return false;
    }

    private static void reasoning(ObjectNode reasoning, ObjectNode chat) throws InvalidRequestException {
        String effort = Params.optionalText(reasoning, "effort", "reasoning.effort");
        if (effort != null) {
            chat.put("reasoning_effort", effort);
        }
        for (String summary : new String[] {"summary", "generate_summary"}) {
            if (Params.present(reasoning, summary) != null) {
                throw Params.invalid("reasoning." + summary, "Reasoning summaries are not supported: a chat upstream"
                        + " returns none, so the answer would silently lack one.");
            }
        }
    }

    private static void include(JsonNode include) throws InvalidRequestException {
        if (!include.isArray()) {
            throw Params.wrongType("include", "an array", include);
        }
        for (int i = 0; i < include.size(); i++) {
            // The other values add fields to built-in tool calls and reasoning items, which never occur here.
            if (include.get(i).asText().equals("message.output_text.logprobs")) {
                throw Params.invalid("include[" + i + "]", "'message.output_text.logprobs' is not supported:"
                        + " log probabilities are not translated by the relay.");
            }
        }
    }

    private static JsonNode bool(String name, JsonNode value) throws InvalidRequestException {
        if (!value.isBoolean()) {
            throw Params.wrongType(name, "a boolean", value);
        }
        return value;
    }

    /** Refused only when it asks for something: null, false, 0 and empty values are what "not set" sends. */
    private static void refuseWhenSet(String name, JsonNode value, String why) throws InvalidRequestException {
        boolean unset = value.isNull() || (value.isBoolean() && !value.booleanValue())
                || (value.isNumber() && value.asDouble() == 0) || (value.isContainerNode() && value.isEmpty())
                || (value.isTextual() && value.asText().isEmpty());
        if (!unset) {
            throw Params.invalid(name, "'" + name + "' is not supported by the relay: " + why);
        }
    }

    /** The chat completions request for the route (a copy: callers may change it). */
    public ObjectNode chatRequest() {
        return chat.deepCopy();
    }

    public byte[] chatRequestBytes() {
        return Json.writeBytes(chat);
    }

    /** The model the caller asked for, or null (the route's default then decides, as for chat). */
    public String model() {
        JsonNode model = chat.get("model");
        return model == null ? null : model.asText();
    }

    public boolean stream() {
        return stream;
    }

    /** The request fields a Response object repeats ({@code instructions}, {@code tools}, ...), see {@link RequestEcho}. */
    public ObjectNode echo() {
        return echo.deepCopy();
    }
}

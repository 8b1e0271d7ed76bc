package io.llmrelay.upstream.anthropic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.upstream.translation.ChatRequest;
import io.llmrelay.upstream.translation.ChatRequestReader;
import io.llmrelay.upstream.translation.TranslationNotes;

/**
 * An OpenAI chat request as an Anthropic Messages request
 * (https://docs.anthropic.com/en/api/messages, tools: https://docs.anthropic.com/en/docs/build-with-claude/tool-use,
 * images: https://docs.anthropic.com/en/docs/build-with-claude/vision):
 *
 * <pre>
 * OpenAI                                   Anthropic
 * model                                    model
 * max_completion_tokens / max_tokens       max_tokens (the route's defaultMaxTokens when neither: Anthropic requires it)
 * system / developer messages              system: [{type: text, text}]
 * user / assistant turns (merged)          messages: [{role, content: [blocks]}]
 *   text                                   {type: text, text}
 *   image data: URL                        {type: image, source: {type: base64, media_type, data}}
 *   image http(s) URL                      {type: image, source: {type: url, url}}  (Anthropic fetches it; the relay never does)
 *   assistant tool_calls[k]                {type: tool_use, id, name, input}
 *   tool message                           user {type: tool_result, tool_use_id, content}
 * temperature, top_p                       temperature, top_p (as given; Anthropic's range is 0-1)
 * stop                                     stop_sequences
 * tools[i].function                        tools: [{name, description, input_schema}]
 * tool_choice auto / none / required / fn  tool_choice {type: auto} / {type: none} / {type: any} / {type: tool, name}
 * parallel_tool_calls: false               tool_choice.disable_parallel_tool_use: true
 * stream                                   stream
 * stream_options.include_usage             (kept by the relay: one usage chunk at the end)
 * </pre>
 */
public final class AnthropicRequestTranslator {
    static final String PROVIDER = "Anthropic's Messages API";
    private static final ObjectNode EMPTY_SCHEMA = Json.object().put("type", "object").set("properties", Json.object());

    private AnthropicRequestTranslator() {}

    /** Reads the caller's body (already validated by the relay as one JSON object with messages). */
    public static ChatRequest read(byte[] body) throws InvalidRequestException {
        return ChatRequestReader.read(body, PROVIDER);
    }

    public static ObjectNode toBody(ChatRequest request, int defaultMaxTokens, TranslationNotes notes) {
        ObjectNode body = Json.object();
        body.put("model", request.model());
        body.put("max_tokens", request.maxTokens() != null ? request.maxTokens() : defaultMaxTokens);
        if (!request.system().isEmpty()) {
            ArrayNode system = body.putArray("system");
            request.system().forEach(text -> system.addObject().put("type", "text").put("text", text));
        }
        ArrayNode messages = body.putArray("messages");
        for (ChatRequest.Turn turn : request.turns()) {
            ObjectNode message = messages.addObject();
            message.put("role", turn.role() == ChatRequest.Role.USER ? "user" : "assistant");
            ArrayNode content = message.putArray("content");
            turn.parts().forEach(part -> content.add(block(part)));
        }
        if (request.temperature() != null) {
            body.set("temperature", request.temperature());
        }
        if (request.topP() != null) {
            body.set("top_p", request.topP());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            request.stop().forEach(stop::add);
        }
        tools(request, body);
        body.put("stream", request.stream());
        if (!request.dropped().isEmpty()) {
            notes.note(TranslationNotes.DROPPED_PARAMETERS, String.join(",", request.dropped()));
        }
        return body;
    }

    private static ObjectNode block(ChatRequest.Part part) {
        ObjectNode block = Json.object();
        switch (part) {
            case ChatRequest.Text text -> block.put("type", "text").put("text", text.text());
            case ChatRequest.Image image -> {
                ObjectNode source = block.put("type", "image").putObject("source");
                switch (image.source()) {
                    case ChatRequest.InlineImage inline -> source.put("type", "base64")
                            .put("media_type", inline.mediaType()).put("data", inline.base64());
                    case ChatRequest.RemoteImage remote -> source.put("type", "url").put("url", remote.url());
                }
            }
            case ChatRequest.ToolUse use -> block.put("type", "tool_use").put("id", use.id()).put("name", use.name())
                    .set("input", use.input());
            case ChatRequest.ToolResult result -> block.put("type", "tool_result")
                    .put("tool_use_id", result.toolUseId()).put("content", result.text());
        }
        return block;
    }

    private static void tools(ChatRequest request, ObjectNode body) {
        if (request.tools().isEmpty()) {
            return; // tool_choice without tools was refused when read, or asks for nothing (auto, none)
        }
        ArrayNode tools = body.putArray("tools");
        for (ChatRequest.Tool tool : request.tools()) {
            ObjectNode spec = tools.addObject().put("name", tool.name());
            if (tool.description() != null) {
                spec.put("description", tool.description());
            }
            spec.set("input_schema", tool.parameters() != null ? tool.parameters() : EMPTY_SCHEMA.deepCopy());
        }
        ChatRequest.ToolChoice choice = request.toolChoice();
        ObjectNode toolChoice = switch (choice) {
            case null -> null;
            case ChatRequest.Auto auto -> Json.object().put("type", "auto");
            case ChatRequest.NoTool none -> Json.object().put("type", "none");
            case ChatRequest.AnyTool any -> Json.object().put("type", "any");
            case ChatRequest.NamedTool named -> Json.object().put("type", "tool").put("name", named.name());
        };
        if (Boolean.FALSE.equals(request.parallelToolCalls()) && !(choice instanceof ChatRequest.NoTool)) {
            toolChoice = toolChoice != null ? toolChoice : Json.object().put("type", "auto");
            toolChoice.put("disable_parallel_tool_use", true);
        }
        if (toolChoice != null) {
            body.set("tool_choice", toolChoice);
        }
    }

    /** For tests: the translated body of an OpenAI request body. */
    static ObjectNode translate(byte[] openAiBody, int defaultMaxTokens) throws InvalidRequestException {
        return toBody(read(openAiBody), defaultMaxTokens, TranslationNotes.NONE);
    }

}

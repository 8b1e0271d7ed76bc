package io.llmrelay.upstream.bedrock;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.translation.ChatRequest;
import io.llmrelay.upstream.translation.ChatRequestReader;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI chat request as a Bedrock Converse / ConverseStream request
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html):
 *
 * <pre>
 * OpenAI                                   Bedrock
 * model                                    the path: /model/{modelId}/converse-stream or /converse, URL-encoded
 * system / developer messages              system: [{text}]
 * user / assistant turns (merged)          messages: [{role, content: [blocks]}]  (Converse requires alternation)
 *   text                                   {text}
 *   image data: URL                        {image: {format: png|jpeg|gif|webp, source: {bytes: base64}}}
 *   image http(s) URL                      400 naming the part: Converse takes image bytes or S3 only
 *   assistant tool_calls[k]                {toolUse: {toolUseId, name, input}}
 *   tool message                           user {toolResult: {toolUseId, content: [{text}]}}
 * max_completion_tokens / max_tokens       inferenceConfig.maxTokens (absent: the model's default)
 * temperature, top_p, stop                 inferenceConfig.temperature, topP, stopSequences
 * tools[i].function                        toolConfig.tools: [{toolSpec: {name, description, inputSchema: {json}}}]
 * tool_choice auto / required / fn         toolConfig.toolChoice {auto: {}} / {any: {}} / {tool: {name}}
 * tool_choice none                         no toolConfig (Converse has no "none"); 400 when the conversation
 *                                          holds tool calls, which need a toolConfig that would let the model call
 * parallel_tool_calls                      dropped (no Converse equivalent), noted
 * stream_options.include_usage             (kept by the relay: one usage chunk from the metadata event)
 * </pre>
 */
public final class BedrockRequestTranslator {
    static final String PROVIDER = "Amazon Bedrock's Converse API";

    private BedrockRequestTranslator() {}

    public static ChatRequest read(byte[] body) throws InvalidRequestException {
        return ChatRequestReader.read(body, PROVIDER);
    }

    public static ObjectNode toBody(ChatRequest request, TranslationNotes notes) throws InvalidRequestException {
        ObjectNode body = Json.object();
        ArrayNode messages = body.putArray("messages");
        for (ChatRequest.Turn turn : request.turns()) {
            ObjectNode message = messages.addObject();
            message.put("role", turn.role() == ChatRequest.Role.USER ? "user" : "assistant");
            ArrayNode content = message.putArray("content");
            for (ChatRequest.Part part : turn.parts()) {
                content.add(block(part));
            }
        }
        if (!request.system().isEmpty()) {
            ArrayNode system = body.putArray("system");
            request.system().forEach(text -> system.addObject().put("text", text));
        }
        ObjectNode inference = Json.object();
        if (request.maxTokens() != null) {
            inference.put("maxTokens", request.maxTokens());
        }
        if (request.temperature() != null) {
            inference.set("temperature", request.temperature());
        }
        if (request.topP() != null) {
            inference.set("topP", request.topP());
        }
        if (!request.stop().isEmpty()) {
            ArrayNode stop = inference.putArray("stopSequences");
            request.stop().forEach(stop::add);
        }
        if (!inference.isEmpty()) {
            body.set("inferenceConfig", inference);
        }
        toolConfig(request, body);
        List<String> dropped = new ArrayList<>(request.dropped());
        if (request.parallelToolCalls() != null) {
            dropped.add("parallel_tool_calls");
        }
        if (!dropped.isEmpty()) {
            notes.note(TranslationNotes.DROPPED_PARAMETERS, String.join(",", dropped));
        }
        return body;
    }

    private static ObjectNode block(ChatRequest.Part part) throws InvalidRequestException {
        ObjectNode block = Json.object();
        switch (part) {
            case ChatRequest.Text text -> block.put("text", text.text());
            case ChatRequest.Image image -> {
                if (!(image.source() instanceof ChatRequest.InlineImage inline)) {
                    throw new InvalidRequestException(OpenAiError.invalidRequest(image.param(), "Image URLs cannot be"
                            + " sent to " + PROVIDER + ", which takes image bytes only; send the image as a base64"
                            + " data: URL (the relay never fetches URLs itself)."));
                }
                block.putObject("image").put("format", inline.mediaType().substring("image/".length()))
                        .putObject("source").put("bytes", inline.base64());
            }
            case ChatRequest.ToolUse use -> block.putObject("toolUse").put("toolUseId", use.id()).put("name", use.name())
                    .set("input", use.input());
            case ChatRequest.ToolResult result -> {
                ObjectNode toolResult = block.putObject("toolResult").put("toolUseId", result.toolUseId());
                // Converse refuses an empty text block; an empty result is an empty content list.
                ArrayNode content = toolResult.putArray("content");
                if (!result.text().isEmpty()) {
                    content.addObject().put("text", result.text());
                }
            }
        }
        return block;
    }

    private static void toolConfig(ChatRequest request, ObjectNode body) throws InvalidRequestException {
        if (request.tools().isEmpty()) {
            return;
        }
        if (request.toolChoice() instanceof ChatRequest.NoTool) {
            if (request.hasToolTurns()) {
                throw new InvalidRequestException(OpenAiError.invalidRequest("tool_choice", "'tool_choice': 'none' cannot"
                        + " be honoured by " + PROVIDER + " in a conversation that holds tool calls: it has no \"none\""
                        + " and needs the tools declared, which lets the model call them."));
            }
            return;
        }
        ObjectNode config = body.putObject("toolConfig");
        ArrayNode tools = config.putArray("tools");
        for (ChatRequest.Tool tool : request.tools()) {
            ObjectNode spec = tools.addObject().putObject("toolSpec").put("name", tool.name());
            if (tool.description() != null) {
                spec.put("description", tool.description());
            }
            spec.putObject("inputSchema").set("json", tool.parameters() != null ? tool.parameters()
                    : Json.object().put("type", "object").set("properties", Json.object()));
        }
        switch (request.toolChoice()) {
            case null -> { }
            case ChatRequest.Auto auto -> config.putObject("toolChoice").putObject("auto");
            case ChatRequest.AnyTool any -> config.putObject("toolChoice").putObject("any");
            case ChatRequest.NamedTool named -> config.putObject("toolChoice").putObject("tool").put("name", named.name());
            case ChatRequest.NoTool none -> { }
        }
    }

    /**
     * {@code /model/{modelId}/converse-stream} or {@code /converse}. Model ids, inference profile ids
     * and ARNs hold ':' and '/', which must not end or split the path segment: everything but RFC 3986
     * unreserved characters is percent-encoded.
     */
    public static String path(String modelId, boolean stream) {
        return "/model/" + encodeSegment(modelId) + (stream ? "/converse-stream" : "/converse");
    }

    static String encodeSegment(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}

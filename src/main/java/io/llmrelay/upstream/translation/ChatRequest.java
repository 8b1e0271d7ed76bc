package io.llmrelay.upstream.translation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * An OpenAI chat request as both providers need it: system text apart, turns that alternate
 * (consecutive same-role turns merged, {@code tool} messages become user turns of tool results),
 * tools and sampling settings checked. Provider translators only rename.
 *
 * @param model             the model named in the body (the route's upstreamModel when it has one)
 * @param maxTokens         {@code max_completion_tokens}, else {@code max_tokens}; null when neither
 * @param temperature       as given (a number), or null
 * @param topP              as given (a number), or null
 * @param stop              stop sequences, empty when none
 * @param toolChoice        null when not given
 * @param parallelToolCalls null when not given
 * @param dropped           tuning-only parameters that were present and will not reach the provider
 */
public record ChatRequest(
        String model,
        boolean stream,
        boolean includeUsage,
        List<String> system,
        List<Turn> turns,
        List<Tool> tools,
        ToolChoice toolChoice,
        Boolean parallelToolCalls,
        Integer maxTokens,
        JsonNode temperature,
        JsonNode topP,
        List<String> stop,
        List<String> dropped) {

    public enum Role { USER, ASSISTANT }

    /** One turn of the conversation; never empty. */
    public record Turn(Role role, List<Part> parts) {}

    /** A piece of a turn. */
    public sealed interface Part {}

    public record Text(String text) implements Part {}

    /** @param param where the caller put it, for a 400 that names it */
    public record Image(ImageSource source, String param) implements Part {}

    /** @param input the parsed JSON object of the call's {@code arguments} */
    public record ToolUse(String id, String name, JsonNode input) implements Part {}

    public record ToolResult(String toolUseId, String text) implements Part {}

    public sealed interface ImageSource {}

    /** A {@code data:} URL: its media type (image/png ...) and base64 data, as both providers take them. */
    public record InlineImage(String mediaType, String base64) implements ImageSource {}

    /** An http(s) URL, which the relay never fetches itself. */
    public record RemoteImage(String url) implements ImageSource {}

    /** @param parameters the JSON Schema of the input, or null when the caller gave none */
    public record Tool(String name, String description, JsonNode parameters) {}

    public sealed interface ToolChoice {}

    public record Auto() implements ToolChoice {}

    public record NoTool() implements ToolChoice {}

    /** OpenAI's "required": some tool must be called. */
    public record AnyTool() implements ToolChoice {}

    public record NamedTool(String name) implements ToolChoice {}

    /** True when any turn holds a tool call or a tool result. */
    public boolean hasToolTurns() {
        return turns.stream().flatMap(t -> t.parts().stream())
                .anyMatch(p -> p instanceof ToolUse || p instanceof ToolResult);
    }
}

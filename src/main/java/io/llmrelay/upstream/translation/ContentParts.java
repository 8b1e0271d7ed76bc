package io.llmrelay.upstream.translation;

import static io.llmrelay.upstream.translation.RequestParameters.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.upstream.translation.ChatRequest.Part;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A message's {@code content}: a string, or an array of parts
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages):
 *
 * <pre>
 * text                       -> text (empty text is dropped)
 * refusal (assistant)        -> text
 * image_url, data: URL       -> inline image (png, jpeg, gif, webp, base64): the formats both providers take
 * image_url, http(s) URL     -> remote image (Anthropic fetches it; Bedrock cannot: 400 there)
 * input_audio, file, other   -> 400 naming the part's type
 * </pre>
 */
final class ContentParts {
    /** data: media types both providers accept, with the alias some clients write. */
    private static final Map<String, String> IMAGE_TYPES = Map.of(
            "image/png", "image/png", "image/jpeg", "image/jpeg", "image/jpg", "image/jpeg",
            "image/gif", "image/gif", "image/webp", "image/webp");
    private static final int MAX_ECHO = 64;

    private ContentParts() {}

    /** @param imagesAllowed only user messages may hold images, as in OpenAI's API */
    static List<Part> read(JsonNode content, String at, boolean imagesAllowed) throws InvalidRequestException {
        List<Part> parts = new ArrayList<>();
        if (content == null || content.isNull()) {
            return parts;
        }
        if (content.isTextual()) {
            addText(parts, content.asText());
            return parts;
        }
        if (!content.isArray()) {
            throw invalid(at, "Invalid type for '" + at + "': expected a string or an array of content parts.");
        }
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String partAt = at + "[" + j + "]";
            String type = part.path("type").asText("");
            switch (type) {
                case "text" -> addText(parts, textField(part, "text", partAt));
                case "refusal" -> addText(parts, textField(part, "refusal", partAt));
                case "image_url" -> {
                    if (!imagesAllowed) {
                        throw invalid(partAt + ".type", "Image content parts are only allowed in user messages.");
                    }
                    parts.add(image(part.path("image_url").path("url"), partAt + ".image_url.url"));
                }
                default -> throw invalid(partAt + ".type", "Content parts of type '" + cut(type)
                        + "' cannot be translated for this model; use text or image_url.");
            }
        }
        return parts;
    }

    private static void addText(List<Part> parts, String text) {
        if (!text.isEmpty()) {
            parts.add(new ChatRequest.Text(text));
        }
    }

    private static String textField(JsonNode part, String field, String at) throws InvalidRequestException {
        JsonNode text = part.get(field);
        if (text == null || !text.isTextual()) {
            throw invalid(at + "." + field, "Missing required parameter: '" + at + "." + field + "'.");
        }
        return text.asText();
    }

    private static ChatRequest.Image image(JsonNode url, String at) throws InvalidRequestException {
        String text = url.isTextual() ? url.asText() : "";
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            return new ChatRequest.Image(new ChatRequest.RemoteImage(text), at);
        }
        if (lower.startsWith("data:")) {
            int comma = text.indexOf(',');
            String header = comma < 0 ? "" : lower.substring(5, comma);
            String mediaType = header.endsWith(";base64")
                    ? IMAGE_TYPES.get(header.substring(0, header.length() - ";base64".length())) : null;
            if (mediaType == null || comma == text.length() - 1) {
                throw invalid(at, "Image data URLs must be data:image/(png|jpeg|gif|webp);base64,<data>.");
            }
            return new ChatRequest.Image(new ChatRequest.InlineImage(mediaType, text.substring(comma + 1)), at);
        }
        throw invalid(at, "Invalid image URL: expected an http(s) URL or a base64 data: URL.");
    }

    /** Caller text quoted in an error, cut short. */
    static String cut(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }
}

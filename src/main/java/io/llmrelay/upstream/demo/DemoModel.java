package io.llmrelay.upstream.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.openai.ChatCompletionsEndpoint;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * The offline model {@value #MODEL}: lets a newcomer see the relay stream end to end before they
 * have an account anywhere. It is an OpenAI-compatible endpoint in process: it answers every
 * request with {@link #REPLY}, streamed a word at a time as OpenAI-shaped chunks, and its body is
 * read lazily through {@link PacedInputStream}, so the relay reads it on exactly the code path of a
 * real OpenAI-compatible upstream ({@code OpenAiUpstream}).
 */
public final class DemoModel implements ChatCompletionsEndpoint {
    public static final String MODEL = "relay-demo";
    /** A placeholder base URL for requests to the demo, which ignores it: nothing leaves the process. */
    public static final URI BASE_URL = URI.create("demo://relay-demo");
    public static final String REPLY = "Hello! I am the LLM Relay demo model. Your relay is working,"
            + " so you can connect a real model whenever you are ready.";
    /** About the pace of a fast hosted model, so avatars and voices sound as they will in production. */
    public static final Duration DEFAULT_WORD_PAUSE = Duration.ofMillis(60);

    private final Duration wordPause;

    public DemoModel() {
        this(DEFAULT_WORD_PAUSE);
    }

    public DemoModel(Duration wordPause) {
        this.wordPause = Objects.requireNonNull(wordPause, "wordPause");
    }

    @Override
    public UpstreamResponse send(UpstreamRequest request) {
        JsonNode body = readLeniently(request.body());
        String model = body.path("model").isTextual() ? body.path("model").asText() : MODEL;
        String id = "chatcmpl-" + (request.requestId() != null ? request.requestId() : UUID.randomUUID());
        Reply reply = new Reply(id, Instant.now().getEpochSecond(), model, words(REPLY), countPromptWords(body));
        if (!request.stream()) {
            return new UpstreamResponse(200, Map.of("content-type", "application/json"),
                    new ByteArrayInputStream(Json.writeBytes(reply.completion())));
        }
        boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
        return new UpstreamResponse(200, Map.of("content-type", "text/event-stream", "cache-control", "no-cache"),
                new PacedInputStream(reply.streamBlocks(includeUsage, wordPause)));
    }

    /** One answer's identity and words; builds both the streamed and the whole form. */
    private record Reply(String id, long created, String model, List<String> words, int promptTokens) {

        List<PacedInputStream.Block> streamBlocks(boolean includeUsage, Duration wordPause) {
            List<PacedInputStream.Block> blocks = new ArrayList<>();
            ObjectNode first = Json.object().put("role", "assistant").put("content", "");
            blocks.add(block(chunk(first, null, includeUsage), Duration.ZERO));
            for (int i = 0; i < words.size(); i++) {
                String word = i == 0 ? words.get(i) : " " + words.get(i);
                blocks.add(block(chunk(Json.object().put("content", word), null, includeUsage), wordPause));
            }
            blocks.add(block(chunk(Json.object(), "stop", includeUsage), Duration.ZERO));
            if (includeUsage) {
                ObjectNode usageChunk = header("chat.completion.chunk");
                usageChunk.putArray("choices");
                usageChunk.set("usage", usage());
                blocks.add(block(usageChunk, Duration.ZERO));
            }
            blocks.add(new PacedInputStream.Block("data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII), Duration.ZERO));
            return blocks;
        }

        ObjectNode completion() {
            ObjectNode completion = header("chat.completion");
            ObjectNode choice = completion.putArray("choices").addObject();
            choice.put("index", 0);
            choice.putObject("message").put("role", "assistant").put("content", String.join(" ", words)).putNull("refusal");
            choice.putNull("logprobs");
            choice.put("finish_reason", "stop");
            completion.set("usage", usage());
            return completion;
        }

        private ObjectNode chunk(ObjectNode delta, String finishReason, boolean includeUsage) {
            ObjectNode chunk = header("chat.completion.chunk");
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            if (includeUsage) {
                chunk.putNull("usage"); // OpenAI's shape: every chunk but the last says usage null
            }
            return chunk;
        }

        private ObjectNode header(String object) {
            return Json.object().put("id", id).put("object", object).put("created", created).put("model", model);
        }

        private ObjectNode usage() {
            return Json.object()
                    .put("prompt_tokens", promptTokens)
                    .put("completion_tokens", words.size())
                    .put("total_tokens", promptTokens + words.size());
        }

        private static PacedInputStream.Block block(ObjectNode json, Duration pauseBefore) {
            String event = "data: " + Json.write(json) + "\n\n";
            return new PacedInputStream.Block(event.getBytes(StandardCharsets.UTF_8), pauseBefore);
        }
    }

    /** The relay validated the body already; the demo only peeks at it, so garbage just means defaults. */
    private static JsonNode readLeniently(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            return node == null ? Json.object() : node;
        } catch (IOException e) {
            return Json.object();
        }
    }

    /** Demo usage figures: a word is counted as a token, which is honest enough for a demo. */
    private static int countPromptWords(JsonNode body) {
        int count = 0;
        for (JsonNode message : body.path("messages")) {
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                count += words(content.asText()).size();
            } else if (content.isArray()) {
                for (JsonNode part : content) {
                    if (part.path("text").isTextual()) {
                        count += words(part.path("text").asText()).size();
                    }
                }
            }
        }
        return count;
    }

    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        for (String word : text.trim().split("\\s+")) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }
}

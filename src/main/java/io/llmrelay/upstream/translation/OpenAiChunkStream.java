package io.llmrelay.upstream.translation;

import io.llmrelay.openai.Usage;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * The OpenAI side of one translated stream, shared by every provider: the provider translators
 * decode their events and call these methods, which keep OpenAI's promises in one place:
 *
 * <ul>
 *   <li>the first chunk carries {@code delta.role: "assistant"}, whatever event came first;
 *   <li>tool calls get dense indexes from 0 in order of appearance ({@link ToolCalls}); id,
 *       {@code type: "function"} and name in their first delta, argument fragments after, and
 *       arguments that parse as one JSON object by the time the call's block ends;
 *   <li>exactly one chunk with a {@code finish_reason} ({@link FinishReasons});
 *   <li>one usage chunk ({@code choices: []}) after it, only when the caller asked.
 * </ul>
 *
 * Every chunk goes to the sink as soon as the call that makes it returns: nothing is held back.
 */
public final class OpenAiChunkStream {
    private final String provider;
    private final ChatChunks chunks;
    private final boolean includeUsage;
    private final TranslationNotes notes;
    private final ChunkSink sink;
    private final ToolCalls toolCalls;
    private boolean started;
    private String finishReason;
    private boolean usageSent;
    private long promptTokens;
    private long completionTokens;
    private boolean promptReported;
    private boolean completionReported;

    /** @param provider the provider's name for error messages ("Anthropic", "Bedrock") */
    public OpenAiChunkStream(String provider, ChatChunks chunks, boolean includeUsage, TranslationNotes notes,
            ChunkSink sink) {
        this.provider = provider;
        this.chunks = chunks;
        this.includeUsage = includeUsage;
        this.notes = notes;
        this.sink = sink;
        this.toolCalls = new ToolCalls(provider);
    }

    /** The provider's message began: the role chunk, once. */
    public void start() throws IOException {
        if (!started) {
            started = true;
            sink.accept(chunks.role());
        }
    }

    public void text(String text) throws IOException {
        start();
        if (!text.isEmpty()) {
            sink.accept(chunks.content(text));
        }
    }

    /** A tool-use block opened at the provider's content block {@code block}. */
    public void toolStart(int block, String id, String name) throws IOException, StreamFailure {
        start();
        if (id == null || id.isEmpty() || name == null || name.isEmpty()) {
            throw StreamFailure.invalid(provider, "a tool call without an id or a name");
        }
        int index = toolCalls.open(block);
        sink.accept(chunks.toolCallStart(index, id, name));
    }

    /** More JSON of the input of the tool call at {@code block}. */
    public void toolArguments(int block, String fragment) throws IOException, StreamFailure {
        int index = toolCalls.append(block, fragment);
        if (!fragment.isEmpty()) {
            sink.accept(chunks.toolCallArguments(index, fragment));
        }
    }

    /** The provider's content block {@code block} ended: a tool call's arguments must be complete JSON now. */
    public void blockStop(int block) throws IOException, StreamFailure {
        ToolCalls.Closed closed = toolCalls.close(block);
        if (closed != null && closed.noArguments()) {
            // A call without input: "{}" keeps the arguments parseable for every client.
            sink.accept(chunks.toolCallArguments(closed.index(), "{}"));
        }
    }

    /** The provider's stop reason: the finish chunk, once (a second stop reason is ignored). */
    public void stop(String providerReason) throws IOException {
        start();
        if (finishReason == null) {
            finishReason = FinishReasons.toOpenAi(providerReason, notes);
            sink.accept(chunks.finish(finishReason));
        }
    }

    public boolean stopped() {
        return finishReason != null;
    }

    /** Counts as the provider reported them; later reports replace earlier ones field by field. */
    public void usage(Long prompt, Long completion) {
        if (prompt != null) {
            promptTokens = prompt;
            promptReported = true;
        }
        if (completion != null) {
            completionTokens = completion;
            completionReported = true;
        }
    }

    /** The usage chunk, once and only when asked; before it, the finish chunk if none came. */
    public void sendUsage() throws IOException {
        if (finishReason == null) {
            stop(null);
        }
        if (includeUsage && !usageSent) {
            usageSent = true;
            sink.accept(chunks.usage(usage()));
        }
    }

    /** The counts so far, as the usage chunk carries them (0 for a count not reported yet). */
    public TokenUsage usage() {
        return new TokenUsage(promptTokens, completionTokens);
    }

    /**
     * The counts the provider reported so far, for the request log and the metrics: a count no
     * event reported is empty, not 0.
     */
    public Usage reported() {
        return new Usage(promptReported ? OptionalLong.of(promptTokens) : OptionalLong.empty(),
                completionReported ? OptionalLong.of(completionTokens) : OptionalLong.empty());
    }
}

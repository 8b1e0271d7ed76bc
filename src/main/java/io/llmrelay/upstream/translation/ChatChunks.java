package io.llmrelay.upstream.translation;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The OpenAI {@code chat.completion.chunk} objects of one stream, as JSON bytes, in OpenAI's
 * field order (https://platform.openai.com/docs/api-reference/chat-streaming/streaming):
 * {@code {"id","object","created","model","choices":[{"index":0,"delta":{...},"logprobs":null,
 * "finish_reason":...}]}}, plus {@code "usage":null} on every chunk but the usage chunk when the
 * caller asked for usage, as OpenAI sends it.
 *
 * <p>Written byte by byte rather than through a tree: this runs once per token. Strings are
 * escaped by Jackson's encoder, so any text the model produces stays valid JSON.
 */
public final class ChatChunks {
    public static final String OBJECT = "chat.completion.chunk";
    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    private final byte[] head;
    private final byte[] tail;

    /**
     * @param id           the {@code id} of every chunk ({@code chatcmpl-...})
     * @param created      the stream's start, epoch seconds
     * @param model        the model name the caller asked for
     * @param includeUsage the caller set {@code stream_options.include_usage}
     */
    public ChatChunks(String id, long created, String model, boolean includeUsage) {
        Out out = new Out();
        out.ascii("{\"id\":").string(id).ascii(",\"object\":\"" + OBJECT + "\",\"created\":" + created + ",\"model\":")
                .string(model).ascii(",\"choices\":");
        head = out.bytes();
        tail = (includeUsage ? ",\"usage\":null}" : "}").getBytes(StandardCharsets.US_ASCII);
    }

    /** The first chunk: {@code delta: {"role":"assistant","content":""}}. */
    public byte[] role() {
        return choice(new Out().ascii("{\"role\":\"assistant\",\"content\":\"\"}"), null);
    }

    public byte[] content(String text) {
        return choice(new Out().ascii("{\"content\":").string(text).ascii("}"), null);
    }

    /** A tool call's first delta: its index, id, type and name, and no arguments yet. */
    public byte[] toolCallStart(int index, String id, String name) {
        Out delta = new Out().ascii("{\"tool_calls\":[{\"index\":" + index + ",\"id\":").string(id)
                .ascii(",\"type\":\"function\",\"function\":{\"name\":").string(name).ascii(",\"arguments\":\"\"}}]}");
        return choice(delta, null);
    }

    /** A later delta of tool call {@code index}: the next fragment of its JSON arguments. */
    public byte[] toolCallArguments(int index, String fragment) {
        Out delta = new Out().ascii("{\"tool_calls\":[{\"index\":" + index + ",\"function\":{\"arguments\":")
                .string(fragment).ascii("}}]}");
        return choice(delta, null);
    }

    /** The last choice chunk: an empty delta and the finish reason. */
    public byte[] finish(String finishReason) {
        return choice(new Out().ascii("{}"), finishReason);
    }

    /** The usage chunk: {@code choices: []} and the counts; only sent when the caller asked. */
    public byte[] usage(TokenUsage usage) {
        Out out = new Out();
        out.raw(head).ascii("[],\"usage\":{\"prompt_tokens\":" + usage.promptTokens() + ",\"completion_tokens\":"
                + usage.completionTokens() + ",\"total_tokens\":" + usage.totalTokens() + "}}");
        return out.bytes();
    }

    private byte[] choice(Out delta, String finishReason) {
        Out out = new Out();
        out.raw(head).ascii("[{\"index\":0,\"delta\":").raw(delta.bytes()).ascii(",\"logprobs\":null,\"finish_reason\":");
        if (finishReason == null) {
            out.ascii("null");
        } else {
            out.string(finishReason);
        }
        return out.ascii("}]").raw(tail).bytes();
    }

    /** A byte buffer that writes ASCII literals and JSON strings. */
    private static final class Out extends ByteArrayOutputStream {
        Out() {
            super(256);
        }

        Out ascii(String literal) {
            for (int i = 0; i < literal.length(); i++) {
                write(literal.charAt(i));
            }
            return this;
        }

        Out string(String value) {
            write('"');
            raw(ESCAPE.quoteAsUTF8(value));
            write('"');
            return this;
        }

        Out raw(byte[] bytes) {
            write(bytes, 0, bytes.length);
            return this;
        }

        byte[] bytes() {
            return toByteArray();
        }
    }
}

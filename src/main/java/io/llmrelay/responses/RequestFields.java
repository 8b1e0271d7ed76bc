package io.llmrelay.responses;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What becomes of each top-level field of a Responses request on its way to a chat route: the
 * whole policy as one table. Fields are those of "Create a model response",
 * https://developers.openai.com/api/reference/resources/responses/methods/create (and of
 * {@code ResponseCreateParamsBase} in the openai npm client 6.49.0, which is generated from it).
 *
 * <p>The rule for the fields this table does not name is the relay's rule for chat requests:
 * they pass through to the upstream untouched (vendor knobs such as {@code top_k} keep working,
 * and a route's {@code dropFields} still removes platform extras), because the upstream is the
 * authority on what it accepts. The exceptions are the chat-only fields that would change the
 * shape of the answer behind the translator's back ({@link Handling#CHAT_ONLY}).
 */
final class RequestFields {
    enum Handling {
        /** Rewritten into its chat form by a step of its own ({@link ResponsesRequest}). */
        TRANSLATED,
        /** The chat API has a field of the same name and meaning: copied as it is. */
        COPIED,
        /** Cannot change the answer of a stateless call with function tools only: dropped. */
        IGNORED,
        /** Refused when set: it needs conversation state, and the relay keeps none. */
        STATEFUL,
        /** Refused when set: the answer would silently lack what it asks for. */
        UNSUPPORTED,
        /** A chat-only field (not a Responses one) that would reshape the answer: refused. */
        CHAT_ONLY
    }

    record Rule(Handling handling, String why) {}

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    static {
        translated("model", "the route's model, as for chat");
        translated("input", "messages");
        translated("instructions", "a leading system message");
        translated("tools", "function tools in chat's nested form; other tool types are refused");
        translated("tool_choice", "chat's tool_choice");
        translated("max_output_tokens", "max_tokens (or max_completion_tokens, see TokenLimitField)");
        translated("stream", "stream, with stream_options.include_usage so that the end carries usage");
        translated("text", "format -> response_format, verbosity -> verbosity");
        translated("reasoning", "effort -> reasoning_effort; a summary is refused (none is ever produced)");
        translated("store", "absent, null or false only: true asks for a response the relay would have to keep");
        translated("background", "false only: a background response is one the caller polls for later");
        translated("include", "values about built-in tools and reasoning are ignored; logprobs are refused");
        copied("temperature");
        copied("top_p");
        copied("metadata");
        copied("user");
        copied("parallel_tool_calls");
        copied("service_tier");
        copied("safety_identifier");
        copied("prompt_cache_key");
        copied("prompt_cache_retention");
        ignored("stream_options", "its only option, include_obfuscation, pads events with noise; the relay sends none");
        ignored("max_tool_calls", "limits built-in tool calls, and built-in tools are refused");
        ignored("truncation", "\"auto\" only matters for an input too long for the model, which then fails loudly"
                + " at the upstream instead of being cut");
        ignored("prompt_cache_options", "a caching hint with no chat equivalent; the answer is the same");
        stateful("previous_response_id", "continues a response stored by the server");
        stateful("conversation", "adds to a conversation stored by the server");
        stateful("prompt", "names a prompt template stored by the server");
        stateful("context_management", "compacts a conversation the server keeps");
        unsupported("top_logprobs", "log probabilities are not translated");
        unsupported("moderation", "moderated completions have no chat equivalent");
        chatOnly("messages", "input");
        chatOnly("n", null);
        chatOnly("logprobs", null);
        chatOnly("response_format", "text.format");
        chatOnly("functions", "tools");
        chatOnly("function_call", "tool_choice");
        chatOnly("max_tokens", "max_output_tokens");
        chatOnly("max_completion_tokens", "max_output_tokens");
        chatOnly("modalities", null);
        chatOnly("audio", null);
        chatOnly("prediction", null);
    }

    private RequestFields() {}

    /** The rule for a top-level field, or null for a field to pass through untouched. */
    static Rule of(String field) {
        return RULES.get(field);
    }

    private static void translated(String field, String into) {
        RULES.put(field, new Rule(Handling.TRANSLATED, into));
    }

    private static void copied(String field) {
        RULES.put(field, new Rule(Handling.COPIED, "the chat API's field of the same name"));
    }

    private static void ignored(String field, String why) {
        RULES.put(field, new Rule(Handling.IGNORED, why));
    }

    private static void stateful(String field, String why) {
        RULES.put(field, new Rule(Handling.STATEFUL, why));
    }

    private static void unsupported(String field, String why) {
        RULES.put(field, new Rule(Handling.UNSUPPORTED, why));
    }

    /** {@code instead}: the Responses field to use, or null when there is none. */
    private static void chatOnly(String field, String instead) {
        RULES.put(field, new Rule(Handling.CHAT_ONLY, instead));
    }
}

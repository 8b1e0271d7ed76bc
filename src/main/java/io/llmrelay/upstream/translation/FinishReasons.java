package io.llmrelay.upstream.translation;

import java.util.Map;

/**
 * Provider stop reasons to OpenAI {@code finish_reason}, one table for both providers.
 * Anthropic: https://docs.anthropic.com/en/api/handling-stop-reasons ; Bedrock:
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_MessageStopEvent.html ;
 * OpenAI's values: https://platform.openai.com/docs/api-reference/chat/object
 */
public final class FinishReasons {
    /** provider stop reason -> OpenAI finish_reason; anything else is "stop" and noted. */
    private static final Map<String, String> TABLE = Map.of(
            "end_turn", "stop",
            "stop_sequence", "stop",
            "max_tokens", "length",
            // The answer was cut by the context window: truncation, as "length" means in OpenAI's API.
            "model_context_window_exceeded", "length",
            "tool_use", "tool_calls",
            "refusal", "content_filter",               // Anthropic
            "guardrail_intervened", "content_filter",  // Bedrock
            "content_filtered", "content_filter");     // Bedrock

    private FinishReasons() {}

    public static String toOpenAi(String providerReason, TranslationNotes notes) {
        String mapped = providerReason == null ? null : TABLE.get(providerReason);
        if (mapped == null) {
            notes.note(TranslationNotes.UNKNOWN_STOP_REASON, String.valueOf(providerReason));
            return "stop";
        }
        return mapped;
    }
}

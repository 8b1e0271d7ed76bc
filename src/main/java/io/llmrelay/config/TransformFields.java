package io.llmrelay.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a route's request transform: {@code systemPrompt}, {@code params}, {@code maxHistoryMessages}
 * and {@code maxHistoryChars} ({@link RouteTransform}). Every problem names its field; a prompt's
 * text is never quoted in one (it may hold something private).
 */
final class TransformFields {
    static final List<String> NAMES = List.of("systemPrompt", "params", "maxHistoryMessages", "maxHistoryChars");

    private static final Set<String> PROMPT_FIELDS = new LinkedHashSet<>(List.of("text", "mode"));
    /** A request over 6 MB never reaches a Function URL, so a larger history budget means nothing. */
    private static final long MAX_HISTORY_CHARS = 6L * 1024 * 1024;
    private static final long MAX_HISTORY_MESSAGES = 100_000;

    private TransformFields() {}

    static RouteTransform read(Fields fields, List<String> dropFields) {
        SystemPrompt prompt = systemPrompt(fields);
        ParamRules params = ParamFields.read(fields, dropFields);
        int messages = (int) fields.wholeNumber("maxHistoryMessages", 0, 1, MAX_HISTORY_MESSAGES, "messages");
        long chars = fields.wholeNumber("maxHistoryChars", 0, 1, MAX_HISTORY_CHARS, "characters");
        RouteTransform transform = new RouteTransform(prompt, params, messages, chars);
        return transform.isEmpty() ? RouteTransform.NONE : transform;
    }

    private static SystemPrompt systemPrompt(Fields route) {
        Fields prompt = route.nested("systemPrompt", PROMPT_FIELDS,
                "with \"text\" and \"mode\" (\"prepend\", \"append\" or \"replace\")");
        if (prompt == null) {
            return null;
        }
        String text = prompt.string("text", true);
        String modeName = prompt.string("mode", true);
        SystemPrompt.Mode mode = modeName == null ? null : SystemPrompt.Mode.fromConfigName(modeName).orElse(null);
        if (modeName != null && mode == null) {
            prompt.problems().add(prompt.path("mode"), "must be \"prepend\", \"append\" or \"replace\"");
        }
        if (text == null || mode == null) {
            return null;
        }
        try {
            return new SystemPrompt(mode, PromptTemplate.parse(text));
        } catch (PromptTemplate.Invalid e) {
            prompt.problems().add(prompt.path("text"), e.getMessage());
            return null;
        }
    }
}

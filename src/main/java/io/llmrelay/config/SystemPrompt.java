package io.llmrelay.config;

import java.util.Locale;
import java.util.Optional;

/**
 * A route's own system prompt, and what becomes of the caller's.
 *
 * @param mode     where it goes among the caller's system messages
 * @param template its text, with variables from the request
 */
public record SystemPrompt(Mode mode, PromptTemplate template) {

    /**
     * What happens to the caller's instructions: its {@code system} and {@code developer} messages
     * (a {@code developer} message is OpenAI's newer name for the same thing, so both count).
     */
    public enum Mode {
        /** The route's prompt first, as a system message of its own; the caller's stay. */
        PREPEND,
        /** The route's prompt after the caller's leading system and developer messages; the caller's stay. */
        APPEND,
        /** Every system and developer message of the caller is removed; the route's prompt is the only one. */
        REPLACE;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Mode> fromConfigName(String name) {
            for (Mode mode : values()) {
                if (mode.configName().equals(name)) {
                    return Optional.of(mode);
                }
            }
            return Optional.empty();
        }
    }
}

package io.llmrelay.config;

/**
 * What a route changes in the caller's request before any upstream sees it: its own system
 * prompt, parameter rules, and a budget for the conversation history. The same for every route
 * type, since it edits the caller's chat request, not a provider's.
 *
 * @param systemPrompt       the route's system prompt; null = the caller's messages as they are
 * @param params             defaults, overrides and limits for top-level parameters
 * @param maxHistoryMessages at most this many messages besides system and developer ones; 0 = no limit
 * @param maxHistoryChars    at most this many characters of such messages (their JSON text); 0 = no limit
 */
public record RouteTransform(SystemPrompt systemPrompt, ParamRules params, int maxHistoryMessages,
        long maxHistoryChars) {

    public static final RouteTransform NONE = new RouteTransform(null, ParamRules.NONE, 0, 0);

    /** True when the route changes nothing: the caller's request goes on as it came. */
    public boolean isEmpty() {
        return systemPrompt == null && params.isEmpty() && maxHistoryMessages == 0 && maxHistoryChars == 0;
    }

    public boolean trimsHistory() {
        return maxHistoryMessages > 0 || maxHistoryChars > 0;
    }
}

package io.llmrelay.relay.transform;

import io.llmrelay.config.RouteTransform;
import io.llmrelay.openai.ChatCompletionRequest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A route's transform applied to the caller's chat request, once the route is chosen and before
 * its upstream body is built: the history trimmed to the route's budget, the route's system
 * prompt put in with values from the request, the parameters' defaults, overrides and limits.
 * It edits the chat request itself, so it works the same for every route type, and it reads the
 * whole request as the caller sent it (platform fields such as {@code call} or {@code metadata}
 * included: they are dropped only later, as the upstream body is built). Fields it does not edit
 * keep the caller's text exactly; the edited ones are written anew.
 */
public final class RequestTransform {
    private RequestTransform() {}

    /**
     * @param header a request header by lower-case name, or null when absent
     * @return {@code chat} itself when the route changes nothing, else an edited copy
     */
    public static ChatCompletionRequest apply(RouteTransform transform, ChatCompletionRequest chat,
            Function<String, String> header) {
        if (transform.isEmpty()) {
            return chat;
        }
        Map<String, String> edits = new LinkedHashMap<>();
        String messages = MessageEdit.messages(transform, chat, header);
        if (messages != null) {
            edits.put("messages", messages);
        }
        edits.putAll(ParamEdit.edits(transform.params(), chat));
        return edits.isEmpty() ? chat : chat.withValues(edits);
    }
}

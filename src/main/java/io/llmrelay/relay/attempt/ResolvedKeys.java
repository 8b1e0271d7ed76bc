package io.llmrelay.relay.attempt;

import java.util.ArrayList;
import java.util.List;

/**
 * Every upstream key resolved for a request, to scrub from whatever its upstreams say. A hedge
 * resolves its route's key on a thread of its own and adds it before sending anything; once the
 * request's attempts are over the list is sealed, and a hedge that comes to it later sends
 * nothing: so every key that went out with a request is scrubbed from the answer.
 */
final class ResolvedKeys {
    private final List<String> keys = new ArrayList<>();
    private boolean sealed;

    /** @return false when the list is sealed: the attempts are over and the key must not be sent */
    synchronized boolean add(String key) {
        if (sealed) {
            return false;
        }
        if (key != null) {
            keys.add(key);
        }
        return true;
    }

    synchronized List<String> seal() {
        sealed = true;
        return List.copyOf(keys);
    }
}

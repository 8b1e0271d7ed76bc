package io.llmrelay.secrets;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The upstream keys this process has resolved, so that last-resort handlers (the runtime loop,
 * an exception that escaped the handler) can redact them from anything they print or report
 * without knowing which request they belonged to. The key resolvers register every key a key
 * store hands out ({@code SchemeKeyResolver}), before anything else looks at it.
 *
 * <p>Bounded: keys rotate, and an environment may live for hours; the newest
 * {@value #CAPACITY} are kept.
 */
public final class KnownSecrets {
    static final int CAPACITY = 64;
    public static final String REDACTED = "[redacted]";

    private static final Deque<String> SECRETS = new ArrayDeque<>();
    /** The scrubber for the current set; rebuilt only when the set changes (order does not matter to it). */
    private static SecretScrubber scrubber = SecretScrubber.NONE;

    private KnownSecrets() {}

    /** Remembers a secret; null and empty values are ignored. */
    public static void register(String secret) {
        if (secret == null || secret.isEmpty()) {
            return;
        }
        synchronized (SECRETS) {
            if (secret.equals(SECRETS.peekFirst())) {
                return;
            }
            boolean known = SECRETS.remove(secret);
            SECRETS.addFirst(secret);
            while (SECRETS.size() > CAPACITY) {
                SECRETS.removeLast();
                known = false;
            }
            if (!known) {
                scrubber = null;
            }
        }
    }

    /** The secrets known now, newest first. */
    public static List<String> snapshot() {
        synchronized (SECRETS) {
            return List.copyOf(SECRETS);
        }
    }

    /**
     * {@code text} with every known secret replaced by {@value #REDACTED}, in every form
     * {@link SecretScrubber} finds (JSON-escaped too), and masked keys as providers print them
     * (the text may quote an upstream's error); null stays null.
     */
    public static String redact(String text) {
        return text == null ? null : scrubber().scrubUpstreamError(text);
    }

    private static SecretScrubber scrubber() {
        synchronized (SECRETS) {
            if (scrubber == null) {
                scrubber = SecretScrubber.uncached(SECRETS);
            }
            return scrubber;
        }
    }
}

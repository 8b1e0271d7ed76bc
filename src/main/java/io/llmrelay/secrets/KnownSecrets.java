package io.llmrelay.secrets;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The upstream keys this process has resolved, so that last-resort handlers (the runtime loop,
 * an exception that escaped the handler) can redact them from anything they print or report
 * without knowing which request they belonged to. Resolvers register every key they hand out.
 *
 * <p>Bounded: keys rotate, and an environment may live for hours; the newest
 * {@value #CAPACITY} are kept.
 */
public final class KnownSecrets {
    static final int CAPACITY = 64;
    public static final String REDACTED = "[redacted]";

    private static final Deque<String> SECRETS = new ArrayDeque<>();

    private KnownSecrets() {}

    /** Remembers a secret; null and empty values are ignored. */
    public static void register(String secret) {
        if (secret == null || secret.isEmpty()) {
            return;
        }
        synchronized (SECRETS) {
            SECRETS.remove(secret);
            SECRETS.addFirst(secret);
            while (SECRETS.size() > CAPACITY) {
                SECRETS.removeLast();
            }
        }
    }

    /** The secrets known now, newest first. */
    public static List<String> snapshot() {
        synchronized (SECRETS) {
            return List.copyOf(SECRETS);
        }
    }

    /** {@code text} with every known secret replaced by {@value #REDACTED}; null stays null. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : snapshot()) {
            out = out.replace(secret, REDACTED);
        }
        return out;
    }
}

package io.llmrelay.runtime;

import io.llmrelay.secrets.KnownSecrets;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * How the runtime's last-resort handlers put a failure into words: the exception type and its
 * message with every known key redacted ({@link KnownSecrets#redact}), then the same for each
 * cause. Never {@code toString()} or a stack trace: an exception message may quote a key (the
 * JDK's own {@code invalid header value: "Bearer <key>"} does).
 */
final class Failures {
    /** Causes named after the failure itself; enough to reach the root of a wrapped failure. */
    static final int MAX_CAUSES = 4;
    /** A log line carries a config error's every problem but not a megabyte of upstream text. */
    static final int MAX_LOGGED_MESSAGE_CHARS = 4000;
    static final String TRUNCATED = "...(truncated)";

    private Failures() {}

    /** {@code Type: message; caused by Type: message ...}, redacted and capped, for a log line. */
    static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder(headline(failure, MAX_LOGGED_MESSAGE_CHARS));
        for (Throwable cause : causes(failure)) {
            text.append("; caused by ").append(headline(cause, MAX_LOGGED_MESSAGE_CHARS));
        }
        return text.toString();
    }

    /** {@code Type: message} (or just the type when there is no message), redacted, at most {@code maxChars} of message. */
    static String headline(Throwable failure, int maxChars) {
        String message = message(failure, maxChars);
        return message == null ? failure.getClass().getName() : failure.getClass().getName() + ": " + message;
    }

    /** The message with known keys redacted, then cut to {@code maxChars}; null when there is none. */
    static String message(Throwable failure, int maxChars) {
        String message;
        try {
            message = failure.getMessage();
        } catch (RuntimeException e) {
            return "(its message could not be read: " + e.getClass().getName() + ")";
        }
        return message == null ? null : cut(KnownSecrets.redact(message), maxChars);
    }

    /** The causes of {@code failure}, nearest first, at most {@value #MAX_CAUSES}, each once. */
    static List<Throwable> causes(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(failure);
        List<Throwable> causes = new ArrayList<>();
        for (Throwable c = failure.getCause(); c != null && seen.add(c) && causes.size() < MAX_CAUSES; c = c.getCause()) {
            causes.add(c);
        }
        return causes;
    }

    /**
     * The failure a reflective call stands for: what a constructor threw rather than the
     * {@link InvocationTargetException} around it, what a static initializer threw rather than the
     * {@link ExceptionInInitializerError}. The AWS Java runtime interface client does the same when
     * it creates a handler (aws-lambda-java-libs, aws-lambda-java-runtime-interface-client,
     * EventHandlerLoader.newInstance: {@code makeUserFault(e.getCause() == null ? e : e.getCause(), true)}).
     * The returned failure keeps its own causes.
     */
    static Throwable unwrapReflective(Throwable failure) {
        Throwable t = failure;
        for (int i = 0; i < 8 && isReflectiveWrapper(t) && t.getCause() != null; i++) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean isReflectiveWrapper(Throwable t) {
        return t instanceof InvocationTargetException
                || t instanceof ExceptionInInitializerError
                || t instanceof UndeclaredThrowableException;
    }

    /** At most {@code maxChars}, never splitting a surrogate pair, marked when cut. */
    static String cut(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int end = Math.max(0, maxChars);
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + TRUNCATED;
    }
}

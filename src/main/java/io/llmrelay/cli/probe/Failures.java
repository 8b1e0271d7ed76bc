package io.llmrelay.cli.probe;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLException;

/** One line for why a request failed below HTTP, for people: never a stack trace. */
final class Failures {
    private Failures() {}

    static String describe(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) {
                return "could not connect in time";
            }
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "unknown host";
            }
            if (t instanceof ConnectException) {
                return "could not connect: " + (t.getMessage() == null ? "connection refused" : t.getMessage());
            }
            if (t instanceof SSLException) {
                String message = message(t);
                return "TLS failed: " + (message.contains("PKIX path")
                        ? "the server's certificate is not trusted by this JDK's trust store (" + message + ")"
                        : message);
            }
            if (t instanceof HttpTimeoutException) {
                return "timed out";
            }
        }
        return "connection failed: " + message(failure);
    }

    /** The first message in the cause chain, or the innermost exception's kind when none has one. */
    private static String message(Throwable failure) {
        Throwable last = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                // messages often quote a cause as "some.package.SomeException: text": keep the text
                return t.getMessage().replaceAll("[\\s\\p{Cntrl}]+", " ").replaceAll("\\b[\\w.$]*(Exception|Error): ", "").strip();
            }
            last = t;
        }
        return last.getClass().getSimpleName();
    }
}

package io.llmrelay.aws;

import java.io.IOException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Describes an AWS SDK failure in words that are safe to log and to put in an exception message,
 * and says whether trying again later may help.
 *
 * <p>Why not pass the SDK exception on as a cause: its message is built from whatever the service
 * or the HTTP layer said, and the relay promises that no key or ciphertext ever reaches a log.
 * AWS error messages (access denied, not found) do not quote request payloads, so they are kept,
 * shortened; an HTTP-layer failure is reduced to its exception class and, for I/O errors (which
 * are about hosts and ports), its message.
 */
public final class AwsErrors {
    private static final int MAX_MESSAGE = 300;

    private AwsErrors() {}

    /** e.g. {@code AccessDeniedException (HTTP 400, request id 1234): User ... is not authorized ...}. */
    public static String describe(SdkException e) {
        if (e instanceof AwsServiceException service) {
            StringBuilder text = new StringBuilder();
            String code = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorCode();
            text.append(code == null ? service.getClass().getSimpleName() : code);
            text.append(" (HTTP ").append(service.statusCode());
            if (service.requestId() != null) {
                text.append(", request id ").append(service.requestId());
            }
            text.append(')');
            String message = service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
            if (message != null && !message.isBlank()) {
                text.append(": ").append(shorten(message.strip()));
            }
            return text.toString();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof IOException && root.getMessage() != null) {
            return "no answer from the service: " + root.getClass().getSimpleName() + ": " + shorten(root.getMessage());
        }
        if (root != e) {
            return "no answer from the service: " + root.getClass().getSimpleName();
        }
        // Client-side set-up failures (no region, no credentials) are the SDK's own words.
        return e.getClass().getSimpleName() + ": " + shorten(String.valueOf(e.getMessage()));
    }

    /**
     * Whether the failure may pass by itself: throttling, a server-side error, or no answer at
     * all. A definite "no" (access denied, not found, invalid ciphertext, disabled key) is not:
     * an administrator may have revoked access on purpose, so a cached key must not outlive it.
     */
    public static boolean isTransient(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.statusCode() >= 500 || service.isThrottlingException();
        }
        // The service never answered (network, timeout, credentials endpoint), so it said no "no".
        return e instanceof SdkClientException;
    }

    private static String shorten(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE) + "...";
    }
}

package io.llmrelay.runtime;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.secrets.KnownSecrets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The error document of the Runtime API ({@code {"errorMessage","errorType","stackTrace"}}),
 * sent to {@code /error}, {@code /init/error} or, base64-encoded, in the stream's error trailer.
 *
 * <p>Redacted and capped, whoever builds it: every string passes {@link KnownSecrets#redact}
 * before it is cut, the message keeps at most {@value #MAX_MESSAGE_CHARS} characters, the trace
 * the top {@value #MAX_FRAMES} frames and a {@code Caused by: Type: message} line per cause, and
 * the whole document fits {@value #MAX_JSON_BYTES} bytes, so that its base64 form (the trailer
 * value) fits {@value #MAX_ENCODED_BYTES}: far below the 8 KiB a typical HTTP server accepts for
 * a header or trailer line. aws-lambda-go caps what it reports the same way: a returned error is
 * only its type and message (lambda/errors.go, lambdaErrorResponse: no stack at all, which is
 * also what it puts in the Lambda-Runtime-Function-Error-Body trailer in
 * lambda/runtime_api_client.go), a panic at most 32 frames (lambda/panic.go,
 * defaultErrorFrameCount), and the X-Ray cause header is dropped from 1 MiB up
 * (runtime_api_client.go, xrayErrorCauseMaxSize). https://github.com/aws/aws-lambda-go
 *
 * @param category the {@code Lambda-Runtime-Function-Error-Type} value, {@code Category.Reason}
 *                 as the Runtime API documentation recommends (for example {@code Runtime.Unhandled})
 */
public record ErrorReport(String category, String errorType, String errorMessage, String[] stackTrace) {
    public static final int MAX_FRAMES = 8;
    public static final int MAX_MESSAGE_CHARS = 1000;
    public static final int MAX_ENCODED_BYTES = 4096;
    static final int MAX_JSON_BYTES = MAX_ENCODED_BYTES / 4 * 3;
    private static final int MAX_CAUSE_MESSAGE_CHARS = 200;
    private static final int MAX_NAME_CHARS = 200;
    private static final int MAX_ENTRY_CHARS = 300;
    /** A message is cut to this before any trace line is given up for the byte limit. */
    private static final int MIN_MESSAGE_CHARS = 200;

    public ErrorReport {
        category = name(category);
        errorType = name(errorType);
        errorMessage = errorMessage == null ? errorType : Failures.cut(KnownSecrets.redact(errorMessage), MAX_MESSAGE_CHARS);
        String[] entries = stackTrace == null ? new String[0]
                : Arrays.copyOf(stackTrace, Math.min(stackTrace.length, MAX_FRAMES + 1 + Failures.MAX_CAUSES));
        for (int i = 0; i < entries.length; i++) {
            entries[i] = entries[i] == null ? "" : Failures.cut(KnownSecrets.redact(entries[i]), MAX_ENTRY_CHARS);
        }
        stackTrace = entries;
    }

    /** The report of {@code error}: its type, its message, its top frames and its causes. */
    public static ErrorReport of(String category, Throwable error) {
        StackTraceElement[] frames = error.getStackTrace();
        List<String> trace = new ArrayList<>();
        for (int i = 0; i < Math.min(frames.length, MAX_FRAMES); i++) {
            trace.add(frames[i].toString());
        }
        if (frames.length > MAX_FRAMES) {
            trace.add("... " + (frames.length - MAX_FRAMES) + " more");
        }
        for (Throwable cause : Failures.causes(error)) {
            trace.add("Caused by: " + Failures.headline(cause, MAX_CAUSE_MESSAGE_CHARS));
        }
        String message = Failures.message(error, MAX_MESSAGE_CHARS);
        return new ErrorReport(category, error.getClass().getName(), message, trace.toArray(String[]::new));
    }

    /**
     * The document, at most {@value #MAX_JSON_BYTES} bytes: over that, the message is cut to
     * {@value #MIN_MESSAGE_CHARS} characters first, then trace lines go from the end, then the
     * rest of the message.
     */
    public byte[] toJson() {
        List<String> entries = new ArrayList<>(Arrays.asList(stackTrace));
        int keep = errorMessage.length();
        byte[] json = write(Failures.cut(errorMessage, keep), entries);
        while (json.length > MAX_JSON_BYTES && (keep > 0 || !entries.isEmpty())) {
            if (keep > MIN_MESSAGE_CHARS) {
                keep = Math.max(MIN_MESSAGE_CHARS, keep / 2);
            } else if (!entries.isEmpty()) {
                entries.remove(entries.size() - 1);
            } else {
                keep /= 2;
            }
            json = write(Failures.cut(errorMessage, keep), entries);
        }
        return json;
    }

    /** The trailer value: base64 of {@link #toJson()}, at most {@value #MAX_ENCODED_BYTES} bytes. */
    public String toBase64() {
        return Base64.getEncoder().encodeToString(toJson());
    }

    private byte[] write(String message, List<String> entries) {
        ObjectNode body = Json.object();
        body.put("errorMessage", message);
        body.put("errorType", errorType);
        ArrayNode trace = body.putArray("stackTrace");
        entries.forEach(trace::add);
        return Json.writeBytes(body);
    }

    /** Type and category names: printable ASCII (the category becomes a header value), short. */
    private static String name(String value) {
        String text = value == null ? "" : value.replaceAll("[^\\x20-\\x7e]", "?");
        return text.length() > MAX_NAME_CHARS ? text.substring(0, MAX_NAME_CHARS) : text;
    }
}

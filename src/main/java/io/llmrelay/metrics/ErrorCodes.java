package io.llmrelay.metrics;

import java.util.regex.Pattern;

/**
 * The {@code ErrorCode} member of a metrics line: a property (a member that is no dimension), so
 * it makes no metric of its own, and Logs Insights can count errors by code over the lines. The
 * relay's own codes are a fixed set, but an upstream's error is passed on with the upstream's own
 * code (any text the provider chose), so the value is kept only when it looks like a code;
 * anything else is {@value #OTHER}.
 */
public final class ErrorCodes {
    /**
     * The caller hung up (a voice platform cutting an answer off because the user spoke): the
     * request log calls it an error, but it is not the relay's or the upstream's failure, and
     * counting it would make the error-rate alarm ring whenever users interrupt.
     */
    public static final String CALLER_DISCONNECTED = "caller_disconnected";
    public static final String OTHER = "other";

    private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private ErrorCodes() {}

    /** {@code code} when it is code-shaped; {@code http_<status>} when a failed request has none. */
    static String property(String code, int status) {
        if (code == null) {
            return "http_" + status;
        }
        return code.length() <= 64 && CODE.matcher(code).matches() ? code : OTHER;
    }
}

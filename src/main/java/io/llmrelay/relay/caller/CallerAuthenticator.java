package io.llmrelay.relay.caller;

import io.llmrelay.config.CallerConfig;
import io.llmrelay.keys.KeyDigest;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Decides which configured caller sent a request, from its key. Keys are compared as SHA-256
 * digests in constant time against every caller, so timing reveals neither a key nor which caller
 * came close.
 */
public final class CallerAuthenticator {
    /** The caller name given to every request when authentication is off. */
    public static final String ANONYMOUS = "anonymous";

    static final String MISSING_KEY =
            "Missing API key: send it as 'Authorization: Bearer <key>' or as 'x-api-key: <key>'.";
    static final String WRONG_KEY = "Invalid API key.";
    static final String NO_CALLERS = "No callers configured: this relay refuses every request until its"
            + " config lists at least one caller (make one with 'caller-key new --name NAME').";

    private final List<String> names;
    private final List<byte[]> digests;
    private final boolean open;

    /** Accepts only the given callers; with none, refuses everyone (and says why). */
    public CallerAuthenticator(List<CallerConfig> callers) {
        this(callers, false);
    }

    private CallerAuthenticator(List<CallerConfig> callers, boolean open) {
        this.names = callers.stream().map(CallerConfig::name).toList();
        this.digests = callers.stream().map(c -> HexFormat.of().parseHex(c.keySha256())).toList();
        this.open = open;
    }

    /** Authentication off ({@code serve --no-auth}): everyone is caller {@value #ANONYMOUS}. */
    public static CallerAuthenticator open() {
        return new CallerAuthenticator(List.of(), true);
    }

    public boolean isOpen() {
        return open;
    }

    /**
     * @param header returns the value of the header with the given lower-case name, or null
     */
    public Result authenticate(Function<String, String> header) {
        if (open) {
            return Result.accepted(ANONYMOUS);
        }
        if (digests.isEmpty()) {
            return Result.refused(NO_CALLERS);
        }
        String key = presentedKey(header);
        if (key == null) {
            return Result.refused(MISSING_KEY);
        }
        byte[] presented = KeyDigest.sha256(key);
        int match = -1;
        // No early exit: every caller is compared, whatever matches, so the time taken is the same.
        for (int i = 0; i < digests.size(); i++) {
            boolean equal = MessageDigest.isEqual(presented, digests.get(i));
            match = equal ? i : match;
        }
        return match < 0 ? Result.refused(WRONG_KEY) : Result.accepted(names.get(match));
    }

    /**
     * The Bearer token if there is one, else {@code x-api-key}. The fallback exists because a
     * Function URL with AWS_IAM auth uses Authorization for the SigV4 signature.
     */
    private static String presentedKey(Function<String, String> header) {
        String authorization = header.apply("authorization");
        if (authorization != null) {
            String value = authorization.strip();
            int space = value.indexOf(' ');
            if (space > 0 && value.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
                String token = value.substring(space + 1).strip();
                if (!token.isEmpty()) {
                    return token;
                }
            }
        }
        String apiKey = header.apply("x-api-key");
        return apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
    }

    /**
     * Either {@code callerName} (accepted) or {@code failure} (refused: answer 401 with it). The
     * failure never contains the presented key.
     */
    public record Result(String callerName, String failure) {
        public static Result accepted(String callerName) {
            return new Result(callerName, null);
        }

        public static Result refused(String failure) {
            return new Result(null, failure);
        }

        public boolean ok() {
            return callerName != null;
        }
    }
}

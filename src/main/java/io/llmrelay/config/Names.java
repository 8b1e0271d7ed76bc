package io.llmrelay.config;

import java.util.regex.Pattern;

/**
 * The rule for caller and route names. They appear in logs, metrics and error messages, so they
 * are kept to characters that need no quoting anywhere.
 */
public final class Names {
    public static final String RULE = "must be 1 to 64 letters, digits, '-', '_' or '.'";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Names() {}

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}

package io.llmrelay.relay.log;

import java.util.Locale;

/**
 * How much the request log says, from {@code RELAY_LOG_LEVEL}: {@code off}; {@code error} (only
 * requests that ended in an error); {@code info}, the default (every request); {@code debug}
 * (every request, with each upstream attempt and retry wait). Each request is still one line.
 */
public enum LogLevel {
    OFF, ERROR, INFO, DEBUG;

    public static final String ENV = "RELAY_LOG_LEVEL";

    /** @throws IllegalArgumentException for anything but the four names (any case); blank means the default */
    public static LogLevel parse(String value) {
        if (value == null || value.isBlank()) {
            return INFO;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ENV + " must be off, error, info or debug, was '" + value.strip() + "'");
        }
    }

    boolean logs(LogLevel lineLevel) {
        return this != OFF && lineLevel.ordinal() <= ordinal();
    }
}

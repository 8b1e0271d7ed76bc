package io.llmrelay.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.util.Locale;

/**
 * One thing start-up has to say about the configuration: where it came from, or what in it will
 * make requests fail. Never a key or a config value: variable names, paths, route names, counts.
 *
 * @param kind the {@code "log"} field on Lambda: {@code config_source} or {@code config_warning}
 */
public record StartupNotice(Level level, String kind, String message) {
    /** How loudly: {@link #ALERT} is for what refuses every request. */
    public enum Level {
        INFO, WARNING, ALERT
    }

    static StartupNotice source(String message) {
        return new StartupNotice(Level.INFO, "config_source", message);
    }

    static StartupNotice warning(String message) {
        return new StartupNotice(Level.WARNING, "config_warning", message);
    }

    static StartupNotice alert(String message) {
        return new StartupNotice(Level.ALERT, "config_warning", message);
    }

    /**
     * One JSON line, as the relay's other notices on Lambda (CloudWatch):
     * {@code {"log":"config_warning","level":"warning","message":"..."}}.
     */
    public String json() {
        ObjectNode line = Json.object();
        line.put("log", kind);
        line.put("level", level.name().toLowerCase(Locale.ROOT));
        line.put("message", message);
        return Json.write(line);
    }

    /** For a person at a terminal ({@code serve}): indented like serve's other start-up lines. */
    public String readable() {
        return switch (level) {
            case INFO -> "  config:    " + message;
            case WARNING -> "  WARNING:   " + message;
            case ALERT -> "  !!! " + message;
        };
    }
}

package io.llmrelay.relay.log;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.PrintStream;

/** A translating upstream's notes (dropped parameters, ignored events) as request log lines, at {@code debug} only. */
public final class TranslationNoteLog {
    private TranslationNoteLog() {}

    public static TranslationNotes of(PrintStream out, LogLevel level, String route, String requestId) {
        if (level != LogLevel.DEBUG) {
            return TranslationNotes.NONE;
        }
        return (kind, detail) -> {
            ObjectNode line = Json.object();
            line.put("log", "translation_note");
            line.put("requestId", requestId);
            line.put("route", route);
            line.put("kind", kind);
            line.put("detail", detail);
            out.println(Json.write(line));
        };
    }
}

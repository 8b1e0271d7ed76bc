package io.llmrelay.upstream.translation;

/**
 * Things a translation did that the relay logs at {@code debug} and never tells the caller:
 * parameters dropped because they only tune, provider events ignored, stop reasons read as "stop".
 * Details name parameters, event types and reasons only, never message content or keys.
 */
@FunctionalInterface
public interface TranslationNotes {
    /** Tuning-only request parameters the provider has no equivalent for, comma-separated. */
    String DROPPED_PARAMETERS = "dropped_parameters";
    /** A provider event type this translation does not know (providers add types over time). */
    String IGNORED_EVENT = "ignored_event";
    /** A provider stop reason outside the finish-reason table, relayed as "stop". */
    String UNKNOWN_STOP_REASON = "unknown_stop_reason";

    TranslationNotes NONE = (kind, detail) -> { };

    void note(String kind, String detail);
}

package io.llmrelay.upstream.bedrock;

/**
 * One decoded {@code application/vnd.amazon.eventstream} message, as its AWS semantics classify it
 * (https://smithy.io/2.0/aws/amazon-eventstream.html, "Amazon Event Semantics"):
 *
 * <pre>
 * :message-type  kind        name from          payload
 * event          EVENT       :event-type        the event's JSON members
 * exception      EXCEPTION   :exception-type    {"message": ...}
 * error          ERROR       :error-code        (empty; the text is in :error-message)
 * </pre>
 *
 * @param errorMessage {@code :error-message} of an ERROR, else null
 */
public record EventStreamMessage(Kind kind, String name, byte[] payload, String errorMessage) {
    public enum Kind { EVENT, EXCEPTION, ERROR }
}

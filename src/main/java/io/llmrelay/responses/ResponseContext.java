package io.llmrelay.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * What is known of a response before the upstream answers: its ids, its creation time, the model
 * asked for and the request fields it repeats. One per request; the ids are derived from the
 * relay's request id, so they are stable (the same request id gives the same ids) and unique
 * wherever request ids are.
 *
 * @param idSeed         letters and digits of the request id (anything else is dropped)
 * @param createdAt      the response's {@code created_at}, in epoch seconds
 * @param requestedModel the model the caller asked for; null when it named none
 * @param echo           {@link ResponsesRequest#echo()}
 */
public record ResponseContext(String idSeed, long createdAt, String requestedModel, ObjectNode echo) {
    public ResponseContext {
        Objects.requireNonNull(echo, "echo");
        idSeed = idSeed == null ? "" : idSeed.replaceAll("[^A-Za-z0-9]", "");
        if (idSeed.isEmpty()) {
            throw new IllegalArgumentException("a response needs an id seed of letters or digits");
        }
    }

    public static ResponseContext of(ResponsesRequest request, String requestId, long createdAtEpochSeconds) {
        return new ResponseContext(requestId, createdAtEpochSeconds, request.model(), request.echo());
    }

    public String responseId() {
        return "resp_" + idSeed;
    }

    /** The message item at {@code outputIndex}. */
    String messageId(int outputIndex) {
        return "msg_" + idSeed + "_" + outputIndex;
    }

    /** The function call item at {@code outputIndex} (its item id; the call id is the upstream's). */
    String functionCallId(int outputIndex) {
        return "fc_" + idSeed + "_" + outputIndex;
    }

    /** A call id for a tool call the upstream sent without one. */
    String callId(int outputIndex) {
        return "call_" + idSeed + "_" + outputIndex;
    }

    /** The model to report: the upstream's when it named one, else the one asked for. */
    String model(String upstreamModel) {
        if (upstreamModel != null && !upstreamModel.isEmpty()) {
            return upstreamModel;
        }
        return requestedModel != null ? requestedModel : "unknown";
    }
}

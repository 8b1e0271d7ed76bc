package io.llmrelay.responses;

/**
 * A chat {@code finish_reason} as the end of a response: the table below, read from the chat
 * reference (https://platform.openai.com/docs/api-reference/chat/object, "finish_reason") and the
 * Response object's {@code status} and {@code incomplete_details.reason}
 * (https://developers.openai.com/api/reference/resources/responses/methods/create).
 *
 * <pre>
 * finish_reason                          status       incomplete_details.reason   items
 * stop, tool_calls, function_call, none  completed    -                           completed
 * length                                 incomplete   max_output_tokens           incomplete
 * content_filter                         incomplete   content_filter              incomplete
 * anything else (vendor values)          completed    -                           completed
 * </pre>
 */
enum FinishReasons {
    COMPLETE(ResponseObject.COMPLETED, null),
    TOKEN_LIMIT(ResponseObject.INCOMPLETE, "max_output_tokens"),
    FILTERED(ResponseObject.INCOMPLETE, "content_filter");

    private final String status;
    private final String incompleteReason;

    FinishReasons(String status, String incompleteReason) {
        this.status = status;
        this.incompleteReason = incompleteReason;
    }

    static FinishReasons of(String finishReason) {
        if (finishReason == null) {
            return COMPLETE;
        }
        return switch (finishReason) {
            case "length" -> TOKEN_LIMIT;
            case "content_filter" -> FILTERED;
            default -> COMPLETE;
        };
    }

    /** The response's {@code status}. */
    String status() {
        return status;
    }

    /** {@code incomplete_details.reason}, or null for a complete response. */
    String incompleteReason() {
        return incompleteReason;
    }

    /** The {@code status} of each output item: an item cut short is as incomplete as the response. */
    String itemStatus() {
        return status;
    }

    /** The terminal stream event: {@code response.completed} or {@code response.incomplete}. */
    String terminalEvent() {
        return this == COMPLETE ? "response.completed" : "response.incomplete";
    }
}

package io.llmrelay.relay;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ChunkWriter;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;

/**
 * The API a caller speaks to the relay, at the two ends of a {@link ChatCompletionCall}: how its
 * body becomes the chat completions request a route serves, and how the answer goes back to it.
 * Everything between (routing, caller keys, retries, fallbacks, the deadline, scrubbing, the error
 * contract) is the same for every API.
 *
 * <pre>
 * endpoint                    request in     streamed answer out   whole answer out
 * POST .../chat/completions   as it came     chat SSE chunks       the chat.completion as it came   ChatApi
 * POST .../responses          translated     Responses events      a Response object                ResponsesApi
 * </pre>
 *
 * @see ChatApi
 * @see ResponsesApi
 */
interface CallerApi {

    /** The caller's body as the chat request to relay; a bad body is a 400 in the caller's API's words. */
    ChatCompletionRequest read(byte[] body) throws InvalidRequestException;

    /** The last stage of a streamed answer, in the caller's wire format. */
    ChunkWriter streamWriter(CallerOutput out);

    /** A whole (non-streaming) upstream answer, read and written to the caller. */
    void whole(RouteConfig route, UpstreamResponse answer, Deadline deadline, CallerOutput out, ErrorContract errors,
            long deadlineMarginMs) throws IOException;
}

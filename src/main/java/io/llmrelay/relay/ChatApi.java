package io.llmrelay.relay;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ChunkWriter;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.out.SseChunkWriter;
import io.llmrelay.relay.stream.WholeRelay;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;

/** {@code POST .../chat/completions}: the body goes upstream as the caller wrote it, the answer comes back as it came. */
final class ChatApi implements CallerApi {
    static final ChatApi INSTANCE = new ChatApi();

    private ChatApi() {}

    @Override
    public ChatCompletionRequest read(byte[] body) throws InvalidRequestException {
        return ChatCompletionRequest.parse(body);
    }

    @Override
    public ChunkWriter streamWriter(CallerOutput out) {
        return new SseChunkWriter(out);
    }

    @Override
    public void whole(RouteConfig route, UpstreamResponse answer, Deadline deadline, CallerOutput out,
            ErrorContract errors, long deadlineMarginMs) throws IOException {
        WholeRelay.relay(route, answer, deadline, out, errors, deadlineMarginMs);
    }
}

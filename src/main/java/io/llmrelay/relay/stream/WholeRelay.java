package io.llmrelay.relay.stream;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.Usage;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.relay.watch.ReadFailure;
import io.llmrelay.relay.watch.WholeBody;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;

/**
 * A non-streaming answer: the upstream's {@code chat.completion} read whole (bounded) and passed on as it came;
 * its {@code usage} read for the request log afterwards.
 */
public final class WholeRelay {
    /** Non-streaming answers are read whole; bounded all the same. */
    private static final int MAX_WHOLE_BODY_BYTES = 32 * 1024 * 1024;

    private WholeRelay() {}

    public static void relay(RouteConfig route, UpstreamResponse answer, Deadline deadline, CallerOutput out,
            ErrorContract errors, long deadlineMarginMs) throws IOException {
        byte[] body;
        try {
            body = WholeBody.readComplete(answer, MAX_WHOLE_BODY_BYTES, route.idleTimeoutMs(), deadline);
        } catch (WholeBody.TooLarge e) {
            errors.replyOwn(ErrorContract.tooLarge(e.getMessage()));
            return;
        } catch (ReadFailure e) {
            errors.reply(ErrorContract.readFailure(e, ErrorContract.Phase.WHOLE, route.name(), route.idleTimeoutMs(),
                    deadlineMarginMs));
            return;
        }
        String type = out.scrubber().text(answer.header("content-type"));
        out.log().status(200);
        out.response().status(200).header("content-type", type != null ? type : "application/json");
        out.send(body);
        out.log().usage(Usage.in(body)); // read once the caller has the body, so it costs the caller no time
    }
}

package io.llmrelay.relay;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.functionurl.FunctionUrlHandler;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.json.Json;
import io.llmrelay.metrics.DimensionValues;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.caller.CallerAuthenticator;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.out.EscapedFailure;
import io.llmrelay.relay.route.CallerRoutes;
import io.llmrelay.relay.route.Router;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.stages.Stages;
import io.llmrelay.trace.TraceContext;
import io.llmrelay.trace.Traces;
import io.llmrelay.upstream.http.TraceHeaders;
import java.io.IOException;

/**
 * The relay's handler, an OpenAI-compatible endpoint (on Lambda through {@code app.LambdaHandler},
 * in {@code serve} directly), and the request path: which endpoint and method, the configuration
 * in force, the caller checked, then {@code GET .../models} answered here, or
 * {@code POST .../chat/completions} and {@code POST .../responses} handed to a
 * {@link ChatCompletionCall} in the caller's API ({@link CallerApi}). Every failure is an
 * OpenAI error body ({@link ErrorContract}); each request is one request log line.
 */
public final class RelayHandler extends FunctionUrlHandler {
    private final RelaySetup setup;
    private volatile Snapshot snapshot;

    public RelayHandler(RelaySetup setup) {
        this.setup = setup;
    }

    /** What one configuration implies; rebuilt only when the configuration object changes. */
    record Snapshot(RelayConfig config, CallerRoutes routes, CallerAuthenticator callers, DimensionValues dimensions) {

        /** The routes the caller may use, as a router; every route when authentication is off. */
        Router routerFor(CallerAuthenticator.Result caller) {
            return callers.isOpen() ? routes.all() : routes.routerFor(caller.callerName());
        }
    }

    /**
     * Serves the request, then writes its request log line and its metrics line, in that order:
     * both after the answer's last byte has gone out (every write is flushed at once), so neither
     * adds to what the caller waits for; every request gets both, refused ones included.
     */
    @Override
    protected void handle(FunctionUrlRequest request, FunctionUrlResponse response, Context context)
            throws IOException {
        if (Stages.ON) {
            Stages.mark(Stages.Stage.HANDLER);
        }
        RequestLog log = new RequestLog(context.getAwsRequestId());
        response.header("x-request-id", context.getAwsRequestId());
        TraceContext trace = Traces.forRequest(request.header(TraceHeaders.TRACEPARENT), context.getXrayTraceId());
        log.trace(trace);
        log.callerRequestId(request.header(TraceHeaders.REQUEST_ID), request.header(TraceHeaders.TRACEPARENT));
        CallerOutput out = new CallerOutput(response, log);
        ErrorContract errors = new ErrorContract(out);
        try {
            serve(request, context, trace, out, errors);
        } catch (RuntimeException e) {
            EscapedFailure.answer(e, out, errors);
        } catch (Error e) {
            // Recorded, then left to the runtime: the JVM may not be fit to go on.
            log.status(response.isCommitted() ? response.status() : 500);
            log.error(EscapedFailure.CODE);
            log.errorDetail(e.getClass().getName());
            throw e;
        } finally {
            log.write(setup.requestLog(), setup.logLevel());
            Snapshot known = snapshot;
            setup.metrics().write(setup.requestLog(), log.outcome(),
                    known != null ? known.dimensions() : DimensionValues.UNCONFIGURED);
        }
    }

    private void serve(FunctionUrlRequest request, Context context, TraceContext trace, CallerOutput out,
            ErrorContract errors) throws IOException {
        RequestPath path = RequestPath.of(request.rawPath());
        if (path == RequestPath.UNKNOWN) {
            errors.replyOwn(OpenAiError.notFound(request.rawPath()));
            return;
        }
        String allowed = path.method();
        if (!request.method().equals(allowed)) {
            out.response().header("allow", allowed);
            errors.replyOwn(OpenAiError.methodNotAllowed(request.method(), request.rawPath()));
            return;
        }
        Snapshot current;
        try {
            current = snapshot();
        } catch (ConfigSource.ConfigUnavailableException e) {
            errors.replyOwn(new OpenAiError(503, "The relay's configuration is unavailable: "
                    + e.getMessage(), OpenAiError.API_ERROR, null, "config_unavailable"));
            return;
        }
        CallerAuthenticator.Result caller = current.callers().authenticate(request::header);
        if (!caller.ok()) {
            out.response().header("www-authenticate", "Bearer");
            errors.replyOwn(OpenAiError.invalidApiKey(caller.failure()));
            return;
        }
        out.log().caller(caller.callerName());
        Router router = current.routerFor(caller);
        if (path == RequestPath.MODELS) {
            listModels(router, out);
            return;
        }
        long marginMs = current.config().deadlineMarginMs();
        String requestId = context.getAwsRequestId();
        CallerApi api = path == RequestPath.RESPONSES ? new ResponsesApi(requestId) : ChatApi.INSTANCE;
        new ChatCompletionCall(setup, current.config(), router, request, requestId, trace, Deadline.of(context, marginMs),
                out, errors, api).run();
    }

    private Snapshot snapshot() throws ConfigSource.ConfigUnavailableException {
        RelayConfig config = setup.config().current();
        Snapshot known = snapshot;
        if (known != null && known.config() == config) {
            return known;
        }
        CallerAuthenticator callers = setup.authDisabled()
                ? CallerAuthenticator.open() : new CallerAuthenticator(config.callers());
        Snapshot fresh = new Snapshot(config, new CallerRoutes(config), callers, DimensionValues.of(config));
        snapshot = fresh;
        return fresh;
    }

    /**
     * OpenAI's list format, so SDKs' {@code models.list()} and platform model pickers work: the
     * exact model names of the routes this caller may use, and no other.
     */
    private static void listModels(Router router, CallerOutput out) throws IOException {
        ObjectNode list = Json.object();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        for (String model : router.listedModels()) {
            ObjectNode entry = data.addObject();
            entry.put("id", model);
            entry.put("object", "model");
            entry.put("created", 0);
            entry.put("owned_by", "llm-relay");
        }
        byte[] body = Json.writeBytes(list);
        out.log().status(200);
        out.log().sent(body.length);
        out.response().send(200, "application/json", body);
    }

    @Override
    protected void rejectInvalidEvent(String message, FunctionUrlResponse response) throws IOException {
        OpenAiError error = OpenAiError.invalidRequest(null, "The invocation is not a Function URL request: " + message);
        response.send(error.status(), "application/json", error.toJson());
    }
}

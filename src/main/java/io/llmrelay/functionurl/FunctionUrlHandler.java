package io.llmrelay.functionurl;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A {@link RequestStreamHandler} for Function URL events: parses the event, hands the handler a
 * request and a streamed response, and completes the response when the handler returns.
 */
public abstract class FunctionUrlHandler implements RequestStreamHandler {

    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        FunctionUrlResponse response = FunctionUrlResponse.on(output);
        FunctionUrlRequest request;
        try {
            request = FunctionUrlRequest.fromEvent(event);
        } catch (FunctionUrlRequest.InvalidEventException e) {
            rejectInvalidEvent(e.getMessage(), response);
            response.close();
            return;
        }
        handle(request, response, context);
        response.close();
    }

    /** Serves one request. The response is closed for the handler when this returns. */
    protected abstract void handle(FunctionUrlRequest request, FunctionUrlResponse response, Context context)
            throws IOException;

    /** Answers an invocation whose event is not a Function URL request. */
    protected abstract void rejectInvalidEvent(String message, FunctionUrlResponse response) throws IOException;
}

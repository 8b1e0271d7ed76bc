package io.llmrelay.app;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.llmrelay.relay.RelayHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The function's handler on Lambda ({@code Handler} in template.yaml): the relay with its set-up
 * from the environment, built once per execution environment during init. A configuration error
 * thrown here is the init error Lambda reports.
 */
public final class LambdaHandler implements RequestStreamHandler {
    private final RelayHandler relay = new RelayHandler(RelaySetups.fromEnvironment(System.getenv()));

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        relay.handleRequest(input, output, context);
    }
}

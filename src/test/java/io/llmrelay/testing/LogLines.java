package io.llmrelay.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A request's two lines in what serve printed: its request log line and, written after it, its
 * metrics line (CloudWatch EMF). Found by the request id the caller got in {@code x-request-id};
 * waiting for the metrics line is waiting for both, since the relay prints them in that order.
 */
public final class LogLines {
    private LogLines() {}

    public static String requestId(HttpResponse<?> response) {
        return response.headers().firstValue("x-request-id")
                .orElseThrow(() -> new AssertionError("the answer has no x-request-id"));
    }

    /** The request's metrics line, waiting up to 10 s for it. */
    public static String metricsLine(RelayUnderTest relay, String requestId) throws InterruptedException {
        String line = relay.awaitLine("\"log\":\"metrics\",\"requestId\":\"" + requestId + "\"", Duration.ofSeconds(10));
        if (line == null) {
            throw new AssertionError("no metrics line for request " + requestId + " in:\n" + relay.output());
        }
        return line;
    }

    /** The request's log line, once its metrics line (printed after it) is there. */
    public static JsonNode requestLine(RelayUnderTest relay, String requestId) throws InterruptedException {
        metricsLine(relay, requestId);
        return relay.output().lines()
                .filter(line -> line.startsWith("{\"log\":\"request\",") && line.contains("\"requestId\":\"" + requestId + "\""))
                .findFirst().map(RelayClient::json)
                .orElseThrow(() -> new AssertionError("no request log line for " + requestId + " in:\n" + relay.output()));
    }

    /**
     * The last request log line serve printed: the last request's, where a test's requests run
     * one at a time and each has been answered.
     */
    public static JsonNode lastRequestLine(RelayUnderTest relay) {
        String[] lines = relay.output().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (lines[i].startsWith("{\"log\":\"request\"")) {
                return RelayClient.json(lines[i]);
            }
        }
        throw new AssertionError("no request log line in: " + relay.output());
    }

    /** How many lines mention {@code requestId} as a JSON member: its request log line and its metrics line. */
    public static long linesAbout(RelayUnderTest relay, String requestId) {
        return relay.output().lines().filter(line -> line.contains("\"requestId\":\"" + requestId + "\"")).count();
    }
}

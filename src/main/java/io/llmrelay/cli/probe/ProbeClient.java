package io.llmrelay.cli.probe;

import io.llmrelay.json.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends one streamed chat request to one {@link Target} and measures it. HTTP/1.1, because that is
 * what the voice platforms' HTTP clients speak to a custom LLM, and it keeps one connection per
 * stream, so no other stream shares its flow control; HTTPS with the JDK's default trust store.
 */
final class ProbeClient {
    private final HttpClient http;
    private final String prompt;
    private final Duration timeout;

    ProbeClient(HttpClient http, String prompt, Duration timeout) {
        this.http = http;
        this.prompt = prompt;
        this.timeout = timeout;
    }

    /** The client the command uses: HTTP/1.1, the JDK's default trust store, no redirects. */
    static HttpClient defaultHttpClient() {
        return httpClientBuilder().build();
    }

    /** As the command builds its client, for tests that give it a trust store of their own. */
    static HttpClient.Builder httpClientBuilder() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
    }

    Outcome probe(Target target, int number) throws InterruptedException {
        AtomicReference<StreamCapture> capture = new AtomicReference<>();
        long start;
        CompletableFuture<HttpResponse<StreamCapture>> response;
        try {
            HttpRequest request = request(target);
            start = System.nanoTime();
            response = http.sendAsync(request, info -> {
                StreamCapture c = new StreamCapture(info, System.nanoTime());
                capture.set(c);
                return HttpResponse.BodySubscribers.fromSubscriber(c, done -> done);
            });
        } catch (IllegalArgumentException e) { // a URL or header the HTTP client will not send
            return Outcome.failed(target.side(), number, "could not send: " + e.getMessage());
        }
        String cutShort = null;
        try {
            response.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            cutShort = "no end within " + timeout.toSeconds() + " s (--timeout)";
            stop(response, capture.get());
        } catch (ExecutionException e) {
            String why = Failures.describe(e.getCause());
            cutShort = capture.get() == null ? why : "the stream broke off: " + why;
        } catch (InterruptedException e) {
            stop(response, capture.get());
            throw e;
        }
        StreamCapture c = capture.get();
        if (c == null) { // no response head: refused, TLS, unknown host, timed out
            return Outcome.failed(target.side(), number, cutShort);
        }
        return Analysis.of(target.side(), number, start, c, cutShort);
    }

    private static void stop(CompletableFuture<?> response, StreamCapture capture) {
        if (capture != null) {
            capture.cancel();
        }
        response.cancel(true);
    }

    private HttpRequest request(Target target) {
        var body = Json.object().put("model", target.model()).put("stream", true);
        body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        HttpRequest.Builder builder = HttpRequest.newBuilder(target.endpoint())
                .timeout(timeout)
                .header("content-type", "application/json")
                .header("accept", "text/event-stream")
                .header("user-agent", "llm-relay-probe")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.writeBytes(body)));
        if (target.key() != null) {
            builder.header("authorization", "Bearer " + target.key());
        }
        return builder.build();
    }
}

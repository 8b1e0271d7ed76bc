package io.llmrelay.upstream.bedrock;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.http.JdkHttp;
import io.llmrelay.upstream.http.UpstreamHttp;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Converse and ConverseStream over HTTP: {@code POST {endpoint}/model/{modelId}/converse-stream}
 * (or {@code /converse}), SigV4-signed for service {@code bedrock}, through the relay's shared JDK
 * client. The streamed answer is {@code application/vnd.amazon.eventstream} ({@link EventStreamReader}).
 * No AWS SDK client: the SDK's event-stream operations need its async (Netty or CRT) clients, which
 * would double the deployment package and the cold start.
 */
public final class BedrockClient {
    /** The SigV4 service name of bedrock-runtime (https://docs.aws.amazon.com/general/latest/gr/bedrock.html). */
    public static final String SIGNING_NAME = "bedrock";

    private final UpstreamHttp client;
    private final RequestSigner signer;

    public BedrockClient(UpstreamHttp client, RequestSigner signer) {
        this.client = client;
        this.signer = signer;
    }

    /**
     * @param extraHeaders the route's own headers and the trace headers; the signer is given every
     *     header the request carries, and signs each but those SigV4 signers leave out because
     *     something on the way may change them: the AWS SDK's signer leaves out
     *     {@code x-amzn-trace-id} (with {@code user-agent}, {@code connection}, {@code expect},
     *     {@code transfer-encoding}), so it is sent unsigned, as the SDK's own clients send it;
     *     {@code traceparent} and {@code x-request-id} are signed like any other
     */
    public UpstreamResponse send(URI endpoint, String region, String modelId, Map<String, String> extraHeaders,
            byte[] body, boolean stream, Duration firstByteTimeout)
            throws UpstreamException, RequestSigner.SigningException {
        URI uri = URI.create(JdkHttp.withoutTrailingSlashes(endpoint.toString()) + BedrockRequestTranslator.path(modelId, stream));
        Map<String, String> headers = new LinkedHashMap<>(extraHeaders);
        headers.put("content-type", "application/json");
        headers.put("accept", stream ? "application/vnd.amazon.eventstream" : "application/json");
        headers.putAll(signer.sign("POST", uri, headers, body, region));
        return client.send(() -> {
            HttpRequest.Builder request = JdkHttp.post(uri, body, firstByteTimeout);
            headers.forEach(request::setHeader);
            return request.build();
        }, body, endpoint, firstByteTimeout, null);
    }
}

package io.llmrelay.aws;

import io.llmrelay.upstream.bedrock.BedrockClient;
import io.llmrelay.upstream.bedrock.RequestSigner;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * SigV4 for Bedrock with the SDK's own signer ({@code software.amazon.awssdk:http-auth-aws}, already
 * in the package for KMS) and the standard credential chain: on Lambda the function role's
 * credentials from {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY}/{@code AWS_SESSION_TOKEN}
 * (or the container endpoint with SnapStart), locally whatever the chain finds. Signing rules:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
public final class SigV4Signer implements RequestSigner {
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final AwsCredentialsProvider credentials;

    public SigV4Signer(AwsCredentialsProvider credentials) {
        this.credentials = credentials;
    }

    /**
     * Credentials from {@code env} when it names them (serve and tests pass their own environment
     * map), else the SDK's default chain, which reads the process environment itself.
     */
    public static SigV4Signer fromEnvironment(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            String token = env.get("AWS_SESSION_TOKEN");
            return new SigV4Signer(StaticCredentialsProvider.create(token != null && !token.isBlank()
                    ? AwsSessionCredentials.create(id, secret, token) : AwsBasicCredentials.create(id, secret)));
        }
        return new SigV4Signer(DefaultCredentialsProvider.builder().build());
    }

    @Override
    public Map<String, String> sign(String method, URI uri, Map<String, String> headers, byte[] body, String region)
            throws SigningException {
        AwsCredentialsIdentity identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (SdkClientException e) {
            // The SDK's message lists the providers it tried; it holds no secret.
            throw new SigningException(e.getMessage(), e);
        }
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).uri(uri);
        headers.forEach(request::putHeader);
        SignedRequest signed = signer.sign(r -> r.identity(identity)
                .request(request.build())
                .payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, BedrockClient.SIGNING_NAME)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        Map<String, String> added = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, List<String>> header : signed.request().headers().entrySet()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!name.equals("host") && headers.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                added.put(header.getKey(), String.join(",", header.getValue()));
            }
        }
        return added;
    }
}

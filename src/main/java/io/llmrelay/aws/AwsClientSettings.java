package io.llmrelay.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.Region;

/**
 * What {@link AwsClients} sets on its clients explicitly. Every null field is left to the SDK's
 * standard chains, which is what production uses: region from {@code AWS_REGION} (Lambda sets it),
 * credentials from the default provider chain (whatever Lambda provides: environment variables or
 * a container credentials endpoint), endpoint from {@code AWS_ENDPOINT_URL_KMS} /
 * {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} / {@code AWS_ENDPOINT_URL} (moto, LocalStack).
 *
 * @param endpoint every service at this URL (an emulator); null = the SDK decides
 * @param region null = the default region chain
 * @param credentials null = the default credentials chain
 * @param interceptors added to every client (tests count calls with one)
 */
public record AwsClientSettings(
        URI endpoint, Region region, AwsCredentialsProvider credentials, List<ExecutionInterceptor> interceptors) {

    public AwsClientSettings {
        interceptors = List.copyOf(interceptors);
    }

    /** Everything from the SDK's standard chains. */
    public static AwsClientSettings standard() {
        return new AwsClientSettings(null, null, null, List.of());
    }

    /** One endpoint for all services with fixed region and credentials: moto, LocalStack. */
    public static AwsClientSettings emulator(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        return new AwsClientSettings(endpoint, region, credentials, List.of());
    }

    public AwsClientSettings withInterceptor(ExecutionInterceptor interceptor) {
        List<ExecutionInterceptor> more = new ArrayList<>(interceptors);
        more.add(interceptor);
        return new AwsClientSettings(endpoint, region, credentials, more);
    }
}

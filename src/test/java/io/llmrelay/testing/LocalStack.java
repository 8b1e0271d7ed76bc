package io.llmrelay.testing;

import io.llmrelay.aws.AwsClientSettings;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;

/** The LocalStack container the LocalStack variants of the AWS suites use (needs Docker). */
public final class LocalStack {
    /**
     * Pinned so a run is reproducible. LocalStack's newest images may ask for an auth token; this
     * 4.x community image serves KMS and Secrets Manager without one.
     */
    public static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.4.0");

    private LocalStack() {}

    /** Creating the container object does not contact Docker; Testcontainers starts it. */
    public static LocalStackContainer container() {
        return new LocalStackContainer(IMAGE).withServices(
                LocalStackContainer.Service.KMS, LocalStackContainer.Service.SECRETSMANAGER);
    }

    public static AwsClientSettings settings(LocalStackContainer localStack) {
        return AwsClientSettings.emulator(localStack.getEndpoint(), Region.of(localStack.getRegion()),
                StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(localStack.getAccessKey(), localStack.getSecretKey())));
    }
}

package io.llmrelay.keys;

import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.testing.LocalStack;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** {@link KeySourcesContract} against LocalStack in Docker; skipped where there is no Docker. */
@Testcontainers(disabledWithoutDocker = true)
class KeySourcesLocalStackTest extends KeySourcesContract {
    @Container
    private static final LocalStackContainer LOCALSTACK = LocalStack.container();

    @Override
    protected AwsClientSettings settings() {
        return LocalStack.settings(LOCALSTACK);
    }
}

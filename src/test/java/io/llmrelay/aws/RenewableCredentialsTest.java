package io.llmrelay.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** After {@code renew()} credentials come from a provider made after it, not the one that cached before. */
class RenewableCredentialsTest {
    @Test
    void renewingSwitchesToAFreshProvider() {
        AtomicInteger made = new AtomicInteger();
        RenewableCredentials credentials = new RenewableCredentials(() -> {
            int n = made.incrementAndGet();
            AwsCredentialsProvider provider = () -> AwsBasicCredentials.create("id-" + n, "secret-" + n);
            return provider;
        });
        assertEquals("id-1", credentials.resolveCredentials().accessKeyId());
        assertEquals("id-1", credentials.resolveCredentials().accessKeyId());
        credentials.renew();
        assertEquals("id-2", credentials.resolveCredentials().accessKeyId());
        assertEquals(2, made.get());
    }
}

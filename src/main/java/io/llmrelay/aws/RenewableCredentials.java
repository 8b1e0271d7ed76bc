package io.llmrelay.aws;

import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The credentials provider the relay's AWS clients hold: one from {@code factory} (the SDK's
 * default chain), replaced by a fresh one on {@link #renew()}. The default chain remembers which
 * provider worked and caches what it fetched; after a SnapStart restore that may be another
 * environment's session, made hours before (Lambda hands a restored environment its own
 * credentials: the runtime interface emulator's handleRestore updates them before releasing the
 * runtime). Renewing keeps the clients, whose build is what init paid for, and drops only the cache.
 */
final class RenewableCredentials implements AwsCredentialsProvider, SdkAutoCloseable {
    private final Supplier<AwsCredentialsProvider> factory;
    private volatile AwsCredentialsProvider current;

    RenewableCredentials(Supplier<AwsCredentialsProvider> factory) {
        this.factory = factory;
        this.current = factory.get();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return current.resolveCredentials();
    }

    /** From now on credentials come from a new provider, which fetches them on first use. */
    void renew() {
        AwsCredentialsProvider old = current;
        current = factory.get();
        closeQuietly(old);
    }

    @Override
    public void close() {
        closeQuietly(current);
    }

    private static void closeQuietly(AwsCredentialsProvider provider) {
        if (provider instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // a provider's cache going away; nothing to tell
            }
        }
    }
}

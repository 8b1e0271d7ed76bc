package io.llmrelay.config;

import io.llmrelay.aws.AwsErrors;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * The relay config read from a Secrets Manager secret ({@code RELAY_CONFIG_SECRET}), so callers
 * and routes change with {@code put-secret-value} instead of a redeploy.
 *
 * <p>Read on first use (not at construction: SnapStart, and no cost for a process that never
 * serves), then again once the config's own {@code keyCacheTtlSeconds} has passed, the same TTL
 * as keys. A refresh that fails (unreachable, or the new document is invalid) keeps the last good
 * config, reports why through {@code warnings}, and is retried after at most
 * {@link #RETRY_INTERVAL}. Only when no config was ever read does {@link #current()} fail.
 * While one request refreshes, the others carry on with the config they had.
 */
public final class SecretsManagerConfigSource implements ConfigSource {
    public static final Duration RETRY_INTERVAL = Duration.ofSeconds(10);

    private final Supplier<SecretsManagerClient> secretsManager;
    private final String secretId;
    private final InstantSource clock;
    private final Consumer<String> warnings;
    private final ReentrantLock reading = new ReentrantLock();
    private volatile Loaded loaded;

    private record Loaded(RelayConfig config, Instant nextRead) {}

    /**
     * @param secretsManager called on first use only
     * @param warnings told when a refresh fails and the last good config stays in force (e.g. {@code System.err::println})
     */
    public SecretsManagerConfigSource(Supplier<SecretsManagerClient> secretsManager, String secretId,
            InstantSource clock, Consumer<String> warnings) {
        this.secretsManager = secretsManager;
        this.secretId = secretId;
        this.clock = clock;
        this.warnings = warnings;
    }

    /** Where the config comes from, for messages: {@code RELAY_CONFIG_SECRET=<id>}. */
    public String source() {
        return ConfigSources.ENV_SECRET + "=" + secretId;
    }

    /**
     * Drops the config read so far, as if none had ever been read: the next {@link #current()}
     * reads the secret and waits for it, and fails (503 config_unavailable) if it cannot. For a
     * SnapStart restore, where the config read at init may be days old (the snapshot is made when
     * a version is published) and may no longer name the callers allowed in.
     */
    public void forget() {
        reading.lock();
        try {
            loaded = null;
        } finally {
            reading.unlock();
        }
    }

    @Override
    public RelayConfig current() throws ConfigUnavailableException {
        Loaded last = loaded;
        if (last != null && clock.instant().isBefore(last.nextRead())) {
            return last.config();
        }
        if (last != null) {
            if (!reading.tryLock()) {
                return last.config(); // someone is refreshing; don't queue behind Secrets Manager
            }
        } else {
            reading.lock();
        }
        try {
            last = loaded;
            Instant now = clock.instant();
            if (last != null && now.isBefore(last.nextRead())) {
                return last.config();
            }
            try {
                RelayConfig config = read();
                loaded = new Loaded(config, now.plusSeconds(config.keyCacheTtlSeconds()));
                return config;
            } catch (ConfigUnavailableException e) {
                if (last == null) {
                    throw e;
                }
                Duration ttl = Duration.ofSeconds(last.config().keyCacheTtlSeconds());
                loaded = new Loaded(last.config(), now.plus(ttl.compareTo(RETRY_INTERVAL) < 0 ? ttl : RETRY_INTERVAL));
                warnings.accept("relay config: refreshing from " + source() + " failed, still using the last good"
                        + " config: " + e.getMessage());
                return last.config();
            }
        } finally {
            reading.unlock();
        }
    }

    private RelayConfig read() throws ConfigUnavailableException {
        GetSecretValueResponse response;
        try {
            response = secretsManager.get().getSecretValue(b -> b.secretId(secretId));
        } catch (SdkException e) {
            throw new ConfigUnavailableException("cannot read the relay config from " + source() + ": "
                    + AwsErrors.describe(e), null);
        }
        if (response.secretString() == null) {
            throw new ConfigUnavailableException("the relay config in " + source()
                    + " is binary; store the JSON document as a secret string", null);
        }
        try {
            return ConfigLoader.parse(response.secretString(), source());
        } catch (ConfigException e) {
            // ConfigException messages name fields, never key material, so it can be the cause.
            throw new ConfigUnavailableException(e.getMessage(), e);
        }
    }
}

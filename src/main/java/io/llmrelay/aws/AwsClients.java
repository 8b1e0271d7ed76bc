package io.llmrelay.aws;

import java.time.Duration;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The relay's KMS and Secrets Manager clients, each built once, on first use.
 *
 * <p>Lazy rather than built at start-up: building a client early only moves its set-up from the
 * first request into init, and on an on-demand cold start both are on the first caller's path,
 * while lazy costs nothing for a relay whose keys are all {@code env:} ({@code AwsInitTimingTest}
 * measures both; figures in README "Performance", Cold start). Where init is NOT on a caller's
 * path (SnapStart, provisioned concurrency) that move is a win, and {@code KeyResolvers.prepare}
 * makes it then.
 *
 * <p>All clients use the JDK-based url-connection HTTP client: the Apache and Netty clients start
 * slower and are excluded from the package.
 */
public final class AwsClients implements AutoCloseable {
    // KMS Decrypt and GetSecretValue answer in milliseconds; without a bound a black-holed
    // connection would hold the first token for the HTTP client's 30 s socket timeout.
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(12);

    private static final Lazy<AwsClients> STANDARD = new Lazy<>(() -> new AwsClients(AwsClientSettings.standard()));

    private final AwsClientSettings settings;
    /** The default chain behind a provider that can drop its cache; only when no credentials are set. */
    private final RenewableCredentials chain;
    private final Lazy<KmsClient> kms;
    private final Lazy<SecretsManagerClient> secretsManager;

    public AwsClients(AwsClientSettings settings) {
        this.settings = settings;
        this.chain = settings.credentials() == null
                ? new RenewableCredentials(() -> DefaultCredentialsProvider.builder().build()) : null;
        this.kms = new Lazy<>(() -> configure(KmsClient.builder()).build());
        this.secretsManager = new Lazy<>(() -> configure(SecretsManagerClient.builder()).build());
    }

    /**
     * The process-wide clients configured from the standard AWS chains, so the key resolvers and
     * the config source share one client per service. Creating it builds nothing.
     */
    public static AwsClients standard() {
        return STANDARD.get();
    }

    /** Built on the first call; throws an SDK exception (e.g. no region configured) and retries next time. */
    public KmsClient kms() {
        return kms.get();
    }

    public SecretsManagerClient secretsManager() {
        return secretsManager.get();
    }

    /**
     * Builds the named clients now, for when Lambda's init phase is not on any caller's path
     * (a SnapStart snapshot, provisioned concurrency): see {@code KeyResolvers.prepare}. Building
     * a client fetches no credentials and decrypts nothing. A failure (e.g. no region) is left for
     * the first real use to report, where it becomes a {@code KeyUnavailableException}.
     */
    public void buildNow(boolean buildKms, boolean buildSecretsManager) {
        try {
            if (buildKms) {
                kms.get();
            }
            if (buildSecretsManager) {
                secretsManager.get();
            }
        } catch (RuntimeException reportedOnFirstUse) {
            // Lazy.get() keeps nothing after a failure, so the first use tries again and reports.
        }
    }

    /**
     * Credentials are fetched again on the clients' next use (after a SnapStart restore: another
     * environment's session may be cached). The clients stay as built. Fixed credentials
     * ({@link AwsClientSettings#credentials()}) are left as they are.
     */
    public void renewCredentials() {
        if (chain != null) {
            chain.renew();
        }
    }

    /** For tests and measurements: whether {@link #kms()} has built its client yet. */
    public boolean kmsBuilt() {
        return kms.isBuilt();
    }

    public boolean secretsManagerBuilt() {
        return secretsManager.isBuilt();
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> B configure(B builder) {
        builder.httpClientBuilder(UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT));
        builder.overrideConfiguration(o -> {
            o.apiCallAttemptTimeout(ATTEMPT_TIMEOUT).apiCallTimeout(CALL_TIMEOUT);
            settings.interceptors().forEach(o::addExecutionInterceptor);
        });
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        if (settings.region() != null) {
            builder.region(settings.region());
        }
        AwsCredentialsProvider credentials = settings.credentials() != null ? settings.credentials() : chain;
        builder.credentialsProvider(credentials);
        return builder;
    }

    @Override
    public void close() {
        if (kms.isBuilt()) {
            kms.get().close();
        }
        if (secretsManager.isBuilt()) {
            secretsManager.get().close();
        }
        if (chain != null) {
            chain.close();
        }
    }
}

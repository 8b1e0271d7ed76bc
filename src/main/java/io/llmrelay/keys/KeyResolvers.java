package io.llmrelay.keys;

import io.llmrelay.aws.AwsClients;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

/** Assembles the resolver the relay uses: env, KMS and Secrets Manager behind one TTL cache. */
public final class KeyResolvers {
    /** Set by Lambda: {@code on-demand}, {@code provisioned-concurrency} or {@code snap-start}. */
    public static final String ENV_INIT_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE";
    /** How long a resolved key is reused unless the configuration says otherwise ({@code keyCacheTtlSeconds}). */
    public static final long DEFAULT_CACHE_TTL_SECONDS = 300;

    private KeyResolvers() {}

    /** {@link #standard(Map, Duration)} with the default TTL ({@value #DEFAULT_CACHE_TTL_SECONDS} s). */
    public static KeyResolver standard(Map<String, String> env) {
        return standard(env, Duration.ofSeconds(DEFAULT_CACHE_TTL_SECONDS));
    }

    /**
     * The relay's resolver, with the process-wide AWS clients ({@link AwsClients#standard()}).
     *
     * @param env where {@code env:} references are looked up
     * @param keyCacheTtl the config's {@code keyCacheTtlSeconds}; zero turns the cache off
     */
    public static KeyResolver standard(Map<String, String> env, Duration keyCacheTtl) {
        return standard(env, keyCacheTtl, AwsClients.standard());
    }

    /**
     * As {@link #standard(Map, Duration)} with the given clients. Nothing is built or resolved here:
     * the AWS clients on the first {@code kms:}/{@code secretsmanager:} use, each key on its first
     * request (SnapStart-safe). Failures surface as {@link KeyUnavailableException}, whose message
     * names the route and never the key or ciphertext; a key the upstream request could not carry
     * is one of them ({@link SendableKeyResolver}).
     */
    public static KeyResolver standard(Map<String, String> env, Duration keyCacheTtl, AwsClients aws) {
        KmsKeyResolver kms = new KmsKeyResolver(aws::kms);
        KeyResolver resolver = new SendableKeyResolver(new SchemeKeyResolver(Map.of(
                KeyReference.Scheme.ENV, new EnvKeyResolver(env),
                KeyReference.Scheme.KMS, kms,
                KeyReference.Scheme.SECRETS_MANAGER, new SecretsManagerKeyResolver(aws::secretsManager, kms))));
        return keyCacheTtl.isZero() ? resolver : new CachingKeyResolver(resolver, keyCacheTtl);
    }

    /**
     * Call once during init with the key references of the config in force. When Lambda's init
     * phase is ahead of any request ({@value #ENV_INIT_TYPE} is {@code snap-start} or
     * {@code provisioned-concurrency}), builds the AWS clients those references need, so that the
     * client set-up (README "Performance") lands in the snapshot or the pre-warmed environment
     * instead of in the first request. On an on-demand cold start it does nothing: init and first
     * request are both on the first caller's path there, so building early gains nothing and would
     * cost relays that need no client. Resolves no key, so nothing secret enters a snapshot.
     *
     * @param references every route's {@code apiKey} (routes without one left out)
     * @return whether clients were built
     */
    public static boolean prepare(Collection<KeyReference> references, Map<String, String> env, AwsClients aws) {
        String initType = env.getOrDefault(ENV_INIT_TYPE, "");
        if (!initType.equals("snap-start") && !initType.equals("provisioned-concurrency")) {
            return false;
        }
        boolean secretsManager = references.stream().anyMatch(r -> r.scheme() == KeyReference.Scheme.SECRETS_MANAGER);
        // A secret may hold a kms: reference, so Secrets Manager routes may need KMS too.
        boolean kms = secretsManager || references.stream().anyMatch(r -> r.scheme() == KeyReference.Scheme.KMS);
        aws.buildNow(kms, secretsManager);
        return kms || secretsManager;
    }
}

package io.llmrelay.keys;

import java.util.Map;

/** Assembles the resolver the relay uses; the one place to add KMS, Secrets Manager and caching. */
public final class KeyResolvers {
    private KeyResolvers() {}

    /** Resolves {@code env:} from {@code env}; other schemes fail as not supported yet. */
    public static KeyResolver standard(Map<String, String> env) {
        return new SchemeKeyResolver(Map.of(KeyReference.Scheme.ENV, new EnvKeyResolver(env)));
    }
}

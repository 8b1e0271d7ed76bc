package io.llmrelay.keys;

import io.llmrelay.secrets.KnownSecrets;
import io.llmrelay.upstream.http.HttpFieldRules;
import java.util.Optional;

/**
 * Refuses a resolved key that the upstream request could not carry: a character the HTTP client
 * refuses in a header value ({@link HttpFieldRules#valueProblem}), which is how an invisible
 * character pasted along with a key (U+200B, U+FEFF, a control character) shows. Without this the
 * request build would fail with {@code IllegalArgumentException: invalid header value: "Bearer <key>"},
 * an exception that carries the key to wherever it is printed.
 *
 * <p>The check is on the bare key: {@code "Bearer "} adds only allowed characters, so a key that
 * passes here is sendable both as a bearer token and as the value of an {@code apiKeyHeader}.
 * The refusal is definite (not transient), so a cache drops a key that turned bad on rotation.
 */
public final class SendableKeyResolver implements KeyResolver {
    private final KeyResolver delegate;

    public SendableKeyResolver(KeyResolver delegate) {
        this.delegate = delegate;
    }

    @Override
    public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
        String key = delegate.resolve(routeName, ref);
        Optional<String> problem = HttpFieldRules.valueProblem(key);
        if (problem.isEmpty()) {
            return key;
        }
        // Refused, but a secret all the same: last-resort output must still redact it.
        KnownSecrets.register(key);
        String why = "the key from " + ref + " " + problem.get();
        throw new KeyUnavailableException("route '" + routeName + "': " + why,
                new KeySourceFailure(why, false), "it " + problem.get());
    }
}

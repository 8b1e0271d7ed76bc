package io.llmrelay.keys;

import io.llmrelay.secrets.KnownSecrets;
import java.util.EnumMap;
import java.util.Map;

/**
 * Sends each reference to the resolver for its scheme. A scheme with no resolver yet fails with a
 * plain "not supported in this build" rather than something that looks like a missing secret.
 */
public final class SchemeKeyResolver implements KeyResolver {
    private final Map<KeyReference.Scheme, KeyResolver> byScheme;

    public SchemeKeyResolver(Map<KeyReference.Scheme, KeyResolver> byScheme) {
        this.byScheme = byScheme.isEmpty() ? Map.of() : new EnumMap<>(byScheme);
    }

    @Override
    public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
        KeyResolver resolver = byScheme.get(ref.scheme());
        if (resolver == null) {
            throw new KeyUnavailableException("route '" + routeName + "': apiKey " + ref + " uses "
                    + ref.scheme().prefix() + ": references, which are not supported yet in this build;"
                    + " use env:VARIABLE_NAME");
        }
        String key = resolver.resolve(routeName, ref);
        // Every key a store hands out, before anything else looks at it, so last-resort handlers can redact it.
        KnownSecrets.register(key);
        return key;
    }
}

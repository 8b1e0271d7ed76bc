package io.llmrelay.keys;

import java.util.Map;

/** Resolves {@code env:NAME} from an environment map (given, not read globally, so tests can supply one). */
public final class EnvKeyResolver implements KeyResolver {
    private final Map<String, String> env;

    public EnvKeyResolver(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
        if (ref.scheme() != KeyReference.Scheme.ENV) {
            throw new KeyUnavailableException(
                    "route '" + routeName + "': " + ref + " is not an env: reference");
        }
        String value = env.get(ref.value());
        // Trimmed because keys pasted into consoles and .env files often carry a trailing newline,
        // which upstreams reject with a confusing 401.
        String key = value == null ? "" : value.strip();
        if (key.isEmpty()) {
            throw new KeyUnavailableException("route '" + routeName + "': environment variable "
                    + ref.value() + (value == null ? " is not set" : " is empty")
                    + " (the route's apiKey is " + ref + ")");
        }
        return key;
    }
}

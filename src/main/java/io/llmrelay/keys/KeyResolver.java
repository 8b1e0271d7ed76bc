package io.llmrelay.keys;

/**
 * Turns a route's {@link KeyReference} into the upstream API key. One interface for every source
 * so that KMS, Secrets Manager and a TTL cache can be stacked later without touching callers.
 */
public interface KeyResolver {

    /**
     * @param routeName only for error messages, so an operator knows which route is broken
     * @return the key, never null or empty
     */
    String resolve(String routeName, KeyReference ref) throws KeyUnavailableException;
}

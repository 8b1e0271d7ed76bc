package io.llmrelay.config;

/**
 * A platform allowed to call the relay. Only the SHA-256 of its key is configured, so the config
 * can be stored and shared without handing out working keys.
 *
 * @param keySha256 64 lower-case hex characters
 */
public record CallerConfig(String name, String keySha256) {}

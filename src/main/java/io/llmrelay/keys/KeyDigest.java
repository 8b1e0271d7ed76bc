package io.llmrelay.keys;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of a caller key, the only form in which the relay stores caller keys. Shared by
 * {@code caller-key new} and the authenticator so both always hash the same bytes.
 */
public final class KeyDigest {
    private KeyDigest() {}

    /** SHA-256 of the key's UTF-8 bytes. */
    public static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The lower-case hex form that goes into a caller's {@code keySha256}. */
    public static String sha256Hex(String key) {
        return HexFormat.of().formatHex(sha256(key));
    }
}

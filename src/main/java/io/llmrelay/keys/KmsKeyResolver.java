package io.llmrelay.keys;

import io.llmrelay.aws.AwsErrors;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DecryptResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;

/**
 * Resolves {@code kms:<base64 ciphertext>} with KMS {@code Decrypt}.
 *
 * <p>Every ciphertext is bound to its route by the encryption context
 * <code>{"llm-relay:route": "&lt;route name&gt;"}</code> ({@link #CONTEXT_KEY}). KMS authenticates
 * the context with the ciphertext, so a ciphertext copied into another route's {@code apiKey}
 * fails to decrypt ({@code InvalidCiphertextException}) instead of handing that route's upstream
 * someone else's key; and the function's IAM policy can allow {@code kms:Decrypt} only when this
 * context key is present. {@code encrypt-key --route NAME} encrypts with the same context.
 */
public final class KmsKeyResolver implements KeyResolver {
    /** The encryption context key; its value is the route name. Also used in template.yaml's IAM condition. */
    public static final String CONTEXT_KEY = "llm-relay:route";

    private final Supplier<KmsClient> kms;

    /** @param kms called on first use only, so that building the client waits until a kms: key is needed */
    public KmsKeyResolver(Supplier<KmsClient> kms) {
        this.kms = kms;
    }

    /** The encryption context that binds a ciphertext to {@code routeName}. */
    public static Map<String, String> encryptionContext(String routeName) {
        return Map.of(CONTEXT_KEY, routeName);
    }

    @Override
    public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
        if (ref.scheme() != KeyReference.Scheme.KMS) {
            throw new KeyUnavailableException("route '" + routeName + "': " + ref + " is not a kms: reference");
        }
        byte[] ciphertext = decode(routeName, ref.value());
        DecryptResponse response;
        try {
            response = kms.get().decrypt(b -> b
                    .ciphertextBlob(SdkBytes.fromByteArrayUnsafe(ciphertext))
                    .encryptionContext(encryptionContext(routeName)));
        } catch (InvalidCiphertextException e) {
            throw unavailable(routeName, "KMS cannot decrypt the kms: apiKey for this route: it was encrypted"
                    + " for another route (or with another key), or it is damaged. Encrypt the key again with"
                    + " 'encrypt-key --route " + routeName + "'", false);
        } catch (SdkException e) {
            throw unavailable(routeName, "KMS Decrypt failed: " + AwsErrors.describe(e), AwsErrors.isTransient(e));
        }
        // Trimmed for the same reason as env: keys: a trailing newline is an upstream 401.
        String key = response.plaintext() == null ? "" : response.plaintext().asUtf8String().strip();
        if (key.isEmpty()) {
            throw unavailable(routeName, "the kms: apiKey decrypts to an empty key", false);
        }
        return key;
    }

    private static byte[] decode(String routeName, String base64) throws KeyUnavailableException {
        try {
            // encrypt-key prints standard base64; the URL-safe alphabet is accepted too because
            // KeyReference allows it and some tools print it.
            boolean urlSafe = base64.indexOf('-') >= 0 || base64.indexOf('_') >= 0;
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(base64);
        } catch (IllegalArgumentException e) {
            throw unavailable(routeName, "the kms: apiKey is not valid base64", false);
        }
    }

    private static KeyUnavailableException unavailable(String routeName, String why, boolean transientFailure) {
        return new KeyUnavailableException("route '" + routeName + "': " + why,
                new KeySourceFailure(why, transientFailure));
    }
}

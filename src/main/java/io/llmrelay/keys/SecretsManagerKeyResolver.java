package io.llmrelay.keys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.aws.AwsErrors;
import io.llmrelay.json.Json;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;

/**
 * Resolves {@code secretsmanager:<secret id or ARN>[#jsonField]} with {@code GetSecretValue}
 * (the AWSCURRENT version).
 *
 * <p>Without {@code #field} the whole secret string is the key; with it the secret must be a JSON
 * object and the field a string. A value that is itself a {@code kms:} reference is decrypted in
 * turn, under the same route's encryption context, so a secret can hold a ciphertext readable only
 * by the relay's KMS permissions. Secret ids and ARNs cannot contain {@code #}, so the first
 * {@code #} always starts the field name.
 */
public final class SecretsManagerKeyResolver implements KeyResolver {
    private final Supplier<SecretsManagerClient> secretsManager;
    private final KeyResolver kms;

    /**
     * @param secretsManager called on first use only
     * @param kms resolves a {@code kms:} reference found in a secret (normally a {@link KmsKeyResolver})
     */
    public SecretsManagerKeyResolver(Supplier<SecretsManagerClient> secretsManager, KeyResolver kms) {
        this.secretsManager = secretsManager;
        this.kms = kms;
    }

    @Override
    public String resolve(String routeName, KeyReference ref) throws KeyUnavailableException {
        if (ref.scheme() != KeyReference.Scheme.SECRETS_MANAGER) {
            throw new KeyUnavailableException("route '" + routeName + "': " + ref + " is not a secretsmanager: reference");
        }
        int hash = ref.value().indexOf('#');
        String secretId = hash < 0 ? ref.value() : ref.value().substring(0, hash);
        String field = hash < 0 ? null : ref.value().substring(hash + 1);
        String where = "secret " + secretId;
        if (secretId.isEmpty() || (field != null && field.isEmpty())) {
            throw unavailable(routeName, ref + " must be secretsmanager:<secret id or ARN> or"
                    + " secretsmanager:<secret id or ARN>#<field>", false);
        }

        String value = fetch(routeName, secretId, where);
        if (field != null) {
            value = field(routeName, value, field, where);
            where = where + " field '" + field + "'";
        }
        value = value.strip();
        if (value.isEmpty()) {
            throw unavailable(routeName, where + " is empty", false);
        }
        if (!value.startsWith(KeyReference.Scheme.KMS.prefix() + ":")) {
            return value;
        }
        KeyReference nested;
        try {
            nested = KeyReference.parse(value);
        } catch (IllegalArgumentException e) {
            // KeyReference's messages never quote the value.
            throw unavailable(routeName, where + " holds a kms: reference that is not valid: " + e.getMessage(), false);
        }
        try {
            return kms.resolve(routeName, nested);
        } catch (KeyUnavailableException e) {
            throw new KeyUnavailableException(e.getMessage() + " (the kms: reference is in " + where + ")", e.getCause());
        }
    }

    private String fetch(String routeName, String secretId, String where) throws KeyUnavailableException {
        GetSecretValueResponse response;
        try {
            response = secretsManager.get().getSecretValue(b -> b.secretId(secretId));
        } catch (SdkException e) {
            throw unavailable(routeName, "Secrets Manager GetSecretValue for " + where + " failed: "
                    + AwsErrors.describe(e), AwsErrors.isTransient(e));
        }
        if (response.secretString() == null) {
            throw unavailable(routeName, where + " holds binary data; store the key as a secret string", false);
        }
        return response.secretString();
    }

    private static String field(String routeName, String secret, String field, String where)
            throws KeyUnavailableException {
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(secret);
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the text around the error, which is the secret itself.
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw unavailable(routeName, where + " is not a JSON object, so it has no field '" + field + "'", false);
        }
        JsonNode value = json.get(field);
        if (value == null || value.isNull()) {
            throw unavailable(routeName, where + " has no field '" + field + "'", false);
        }
        if (!value.isTextual()) {
            throw unavailable(routeName, where + " field '" + field + "' is not a string", false);
        }
        return value.textValue();
    }

    private static KeyUnavailableException unavailable(String routeName, String why, boolean transientFailure) {
        return new KeyUnavailableException("route '" + routeName + "': " + why,
                new KeySourceFailure(why, transientFailure));
    }
}

package io.llmrelay.keys;

import java.util.regex.Pattern;

/**
 * Where a route's upstream API key lives, as written in the config's {@code apiKey}: a reference,
 * never the key itself, so the config can be committed and logged without leaking anything.
 */
public record KeyReference(Scheme scheme, String value) {

    /** The sources a key can come from; only {@link #ENV} is resolved by this build. */
    public enum Scheme {
        /** {@code env:NAME}: the value of environment variable NAME. */
        ENV("env"),
        /** {@code kms:<base64 ciphertext>}: decrypted with AWS KMS. */
        KMS("kms"),
        /** {@code secretsmanager:<secret id or ARN>}: fetched from AWS Secrets Manager. */
        SECRETS_MANAGER("secretsmanager");

        private final String prefix;

        Scheme(String prefix) {
            this.prefix = prefix;
        }

        /** The text before the colon in the config, e.g. {@code env}. */
        public String prefix() {
            return prefix;
        }
    }

    /** Said whenever a value is not a reference; deliberately never quotes the value (it may be a key). */
    public static final String FORMS =
            "env:VARIABLE_NAME, kms:<base64 ciphertext> or secretsmanager:<secret id or ARN>";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/=_-]+");
    private static final Pattern NO_SPACE = Pattern.compile("\\S+");

    public KeyReference {
        if (scheme == null || value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a key reference needs a scheme and a value");
        }
    }

    public static KeyReference env(String variableName) {
        return parse("env:" + variableName);
    }

    /**
     * Parses an {@code apiKey} string. The exception message explains the expected forms but never
     * repeats the input: people do paste real keys into this field.
     */
    public static KeyReference parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("must be a key reference (" + FORMS + "), found an empty value");
        }
        int colon = text.indexOf(':');
        String prefix = colon < 0 ? "" : text.substring(0, colon);
        String rest = colon < 0 ? "" : text.substring(colon + 1);
        for (Scheme scheme : Scheme.values()) {
            if (scheme.prefix.equals(prefix)) {
                return checked(scheme, rest);
            }
        }
        throw new IllegalArgumentException(
                "must be a key reference (" + FORMS + "), not the key itself; the value given is not one");
    }

    private static KeyReference checked(Scheme scheme, String rest) {
        Pattern shape;
        String wanted;
        switch (scheme) {
            case ENV -> {
                shape = ENV_NAME;
                wanted = "env: must be followed by an environment variable name (letters, digits and '_')";
            }
            case KMS -> {
                shape = BASE64;
                wanted = "kms: must be followed by the base64 KMS ciphertext of the key";
            }
            default -> {
                shape = NO_SPACE;
                wanted = "secretsmanager: must be followed by a secret id or ARN without spaces";
            }
        }
        if (!shape.matcher(rest).matches()) {
            throw new IllegalArgumentException(wanted);
        }
        return new KeyReference(scheme, rest);
    }

    /**
     * Safe for logs and error messages. Variable names and secret ids are not secret; a KMS
     * ciphertext is only shown by its length, because it is key material in another form.
     */
    @Override
    public String toString() {
        return switch (scheme) {
            case KMS -> "kms:(" + value.length() + " characters of ciphertext)";
            default -> scheme.prefix + ":" + value;
        };
    }
}

package io.llmrelay.cli;

import io.llmrelay.aws.AwsClients;
import io.llmrelay.aws.AwsErrors;
import io.llmrelay.config.Names;
import io.llmrelay.keys.KmsKeyResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.EncryptResponse;

/**
 * {@code encrypt-key --kms-key-id <id|alias|arn> --route <name>}: encrypts an upstream API key
 * read from standard input for one route and prints the {@code kms:} reference to put in that
 * route's {@code apiKey}.
 *
 * <p>The key is only ever read from standard input: an argument would be visible to every user of
 * the machine in the process list and would stay in the shell history. Standard output carries
 * nothing but the reference, as its last line, so {@code $(... encrypt-key ...)} captures it;
 * everything else goes to standard error. AWS region, credentials and endpoint come from the
 * standard AWS chains ({@code AWS_REGION}, {@code AWS_PROFILE}, {@code AWS_ENDPOINT_URL}, ...).
 */
public final class EncryptKeyCommand {
    static final String USAGE = """
            usage: echo -n "$OPENAI_API_KEY" | java -jar llm-relay.jar encrypt-key --kms-key-id <id|alias|arn> --route <name>

              Encrypts the upstream API key read from standard input with AWS KMS, bound to route
              <name> (encryption context {"llm-relay:route": "<name>"}), and prints the reference
              to use as that route's "apiKey": kms:<base64 ciphertext>. It decrypts only for that
              route. The key is never taken as an argument (other users see arguments in the
              process list, and they stay in the shell history).

              --kms-key-id ID   the KMS key: id, alias/..., or ARN (default: $RELAY_KMS_KEY_ID, the
                                stack's KmsKeyAlias output)
              --route NAME      the route whose apiKey this is: 1 to 64 letters, digits, '-', '_' or '.'
              -h, --help        this text

            AWS region, credentials and endpoint come from the standard AWS chains (AWS_REGION,
            AWS_PROFILE, AWS_ENDPOINT_URL, ...).
            """;

    /** The options, with what each value is. */
    static final Map<String, String> OPTIONS = Map.of(
            "--kms-key-id", "the KMS key id, alias/... or ARN",
            "--route", "the route NAME (1 to 64 letters, digits, '-', '_' or '.')");

    /** Lets the stack's key alias be the default: {@code export RELAY_KMS_KEY_ID=alias/llm-relay-...}. */
    public static final String ENV_KEY_ID = "RELAY_KMS_KEY_ID";

    /** KMS Encrypt takes at most 4096 bytes of plaintext. */
    private static final int MAX_KEY_BYTES = 4096;

    private EncryptKeyCommand() {}

    /** With the process-wide AWS clients from the standard chains. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env) {
        return run(args, in, out, err, env, AwsClients.standard()::kms);
    }

    /** @param kms called only once the arguments and the key have been checked */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err, Map<String, String> env,
            Supplier<KmsClient> kms) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            out.print(USAGE);
            return 0;
        }
        Options options = Options.parse(args, env, err);
        if (options == null) {
            err.print(USAGE);
            return 2;
        }
        String key = readKey(in, err);
        if (key == null) {
            return 2;
        }
        EncryptResponse response;
        try {
            response = kms.get().encrypt(b -> b
                    .keyId(options.keyId())
                    .plaintext(SdkBytes.fromUtf8String(key))
                    .encryptionContext(KmsKeyResolver.encryptionContext(options.route())));
        } catch (SdkException e) {
            err.println("encrypt-key: KMS Encrypt with key " + options.keyId() + " failed: " + AwsErrors.describe(e));
            return 1;
        }
        err.println("Encrypted for route '" + options.route() + "' with KMS key " + response.keyId() + ".");
        err.println("Use the line below as the route's \"apiKey\" (config file, RELAY_CONFIG, or a Secrets Manager");
        err.println("secret named by secretsmanager:...). It decrypts only for route '" + options.route() + "'.");
        out.println("kms:" + Base64.getEncoder().encodeToString(response.ciphertextBlob().asByteArray()));
        out.flush();
        return 0;
    }

    /** @return the key without its trailing line break, or null after saying on {@code err} what is wrong */
    private static String readKey(InputStream in, PrintStream err) {
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_KEY_BYTES + 2);
        } catch (IOException e) {
            err.println("encrypt-key: cannot read standard input (" + e.getClass().getSimpleName() + ")");
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        // `echo`, a here-string or a pasted line ends with a line break that is not part of the key.
        if (text.endsWith("\r\n")) {
            text = text.substring(0, text.length() - 2);
        } else if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isBlank()) {
            err.println("encrypt-key: standard input is empty; pipe the key in, e.g."
                    + " printf %s \"$OPENAI_API_KEY\" | ... encrypt-key ...");
            return null;
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            err.println("encrypt-key: standard input is longer than " + MAX_KEY_BYTES
                    + " bytes, which is not an API key (KMS encrypts at most that much)");
            return null;
        }
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            // Likely a whole .env file or two keys: encrypting that would give a reference that
            // decrypts to something no upstream accepts.
            err.println("encrypt-key: standard input has more than one line; give exactly one key");
            return null;
        }
        if (!text.equals(text.strip())) {
            err.println("encrypt-key: note: the key starts or ends with spaces; they are kept in the"
                    + " ciphertext but removed when the relay decrypts it");
        }
        return text;
    }

    private record Options(String keyId, String route) {
        /** Options that would carry the key itself: refused with the reason, the value never echoed. */
        private static final Set<String> KEY_OPTIONS = Set.of("--key", "--api-key", "--plaintext");

        /** @return the options, or null after saying on {@code err} what is wrong */
        static Options parse(String[] args, Map<String, String> env, PrintStream err) {
            for (String arg : args) {
                String name = arg.startsWith("--") && arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
                if (KEY_OPTIONS.contains(name)) {
                    err.println("encrypt-key: refusing " + name + ": a key given as an argument is visible to"
                            + " other users in the process list and stays in the shell history. Pipe it on"
                            + " standard input instead (and rotate it if it was typed on a shared machine).");
                    return null;
                }
            }
            CommandLine.Parsed parsed;
            try {
                parsed = CommandLine.parse(args, OPTIONS, Set.of());
            } catch (IllegalArgumentException e) {
                err.println("encrypt-key: " + e.getMessage());
                return null;
            }
            if (!parsed.positionals().isEmpty()) {
                // Not echoed: a stray positional argument may well be the key itself.
                err.println("encrypt-key: unexpected argument #" + parsed.positionals().get(0).number()
                        + " (not shown, in case it is a key)");
                return null;
            }
            String keyId = parsed.value("--kms-key-id");
            String route = parsed.value("--route");
            if (keyId == null) {
                String fromEnv = env.get(ENV_KEY_ID);
                keyId = fromEnv == null || fromEnv.isBlank() ? null : fromEnv.strip();
            }
            if (keyId == null) {
                err.println("encrypt-key: --kms-key-id is required (or set " + ENV_KEY_ID + ")");
                return null;
            }
            if (route == null) {
                err.println("encrypt-key: --route is required: the key will decrypt only for that route");
                return null;
            }
            if (!Names.isValid(route)) {
                err.println("encrypt-key: the route name " + Names.RULE);
                return null;
            }
            return new Options(keyId, route);
        }
    }
}

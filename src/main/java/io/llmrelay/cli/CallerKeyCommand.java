package io.llmrelay.cli;

import io.llmrelay.config.Names;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code caller-key new --name NAME}: makes a caller key and the {@code callers} entry holding its
 * SHA-256. The key is printed once and kept nowhere, so a leaked config never leaks a working key.
 */
public final class CallerKeyCommand {
    static final String USAGE = """
            usage: java -jar llm-relay.jar caller-key new --name NAME

              Makes a new caller key and prints it once, with the entry to add to "callers"
              in the relay config. NAME is 1 to 64 letters, digits, '-', '_' or '.'.
            """;

    /** Marks relay caller keys, so they are recognisable in a secrets scan or a misplaced paste. */
    static final String PREFIX = "rk-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private CallerKeyCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String name = parseName(args, err);
        if (name == null) {
            err.print(USAGE);
            return 2;
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);

        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put("keySha256", KeyDigest.sha256Hex(key));

        out.println("Caller key for '" + name + "'. Store it now (e.g. as the API key in the platform's");
        out.println("custom-LLM settings): it is not kept anywhere and cannot be shown again.");
        out.println();
        out.println("  " + key);
        out.println();
        out.println("Add this entry to \"callers\" in the relay config (it holds only the key's SHA-256):");
        out.println();
        out.println("  " + Json.write(entry));
        return 0;
    }

    /** @return the name, or null after explaining on {@code err} what is wrong */
    private static String parseName(String[] args, PrintStream err) {
        if (args.length == 0 || !args[0].equals("new")) {
            err.println("caller-key: expected the subcommand 'new'");
            return null;
        }
        String name = null;
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            String value;
            if (arg.equals("--name") && i + 1 < args.length) {
                value = args[++i];
            } else if (arg.startsWith("--name=")) {
                value = arg.substring("--name=".length());
            } else {
                err.println("caller-key: unexpected argument '" + arg + "'");
                return null;
            }
            if (name != null) {
                err.println("caller-key: --name given twice");
                return null;
            }
            name = value;
        }
        if (name == null) {
            err.println("caller-key: --name is required");
            return null;
        }
        if (!Names.isValid(name)) {
            err.println("caller-key: the name " + Names.RULE);
            return null;
        }
        return name;
    }
}

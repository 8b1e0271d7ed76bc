package io.llmrelay.cli;

import io.llmrelay.config.Names;
import io.llmrelay.json.Json;
import io.llmrelay.keys.KeyDigest;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code caller-key new --name NAME}: makes a caller key and the {@code callers} entry holding its
 * SHA-256. The key is printed once and kept nowhere, so a leaked config never leaks a working key.
 */
public final class CallerKeyCommand {
    static final String USAGE = """
            usage: java -jar llm-relay.jar caller-key new --name NAME

              Makes a new caller key and prints it once, with the entry to add to "callers"
              in the relay config.

              --name NAME   the caller's name in logs: 1 to 64 letters, digits, '-', '_' or '.'
              -h, --help    this text
            """;

    /** The options {@code caller-key new} takes, with what each value is. */
    static final Map<String, String> OPTIONS = Map.of("--name", "NAME, 1 to 64 letters, digits, '-', '_' or '.'");

    /** Marks relay caller keys, so they are recognisable in a secrets scan or a misplaced paste. */
    static final String PREFIX = "rk-";

    private static final SecureRandom RANDOM = new SecureRandom();

    private CallerKeyCommand() {}

    public static int run(String[] args, PrintStream out, PrintStream err) {
        String name;
        try {
            CommandLine.Parsed parsed = CommandLine.parse(args, OPTIONS, Set.of());
            if (parsed.help()) {
                out.print(USAGE);
                return 0;
            }
            name = name(parsed);
        } catch (IllegalArgumentException e) {
            err.println("caller-key: " + e.getMessage());
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

    /** @throws IllegalArgumentException saying what is wrong with the command line */
    private static String name(CommandLine.Parsed parsed) {
        List<CommandLine.Positional> words = parsed.positionals();
        if (words.isEmpty()) {
            throw new IllegalArgumentException("expected the subcommand 'new'");
        }
        if (!words.get(0).text().equals("new")) {
            throw new IllegalArgumentException("unknown subcommand '" + words.get(0).text() + "' (the only one is 'new')");
        }
        if (words.size() > 1) {
            throw new IllegalArgumentException("unexpected argument '" + words.get(1).text() + "'");
        }
        String name = parsed.value("--name");
        if (name == null) {
            throw new IllegalArgumentException("--name is required: " + OPTIONS.get("--name"));
        }
        if (!Names.isValid(name)) {
            throw new IllegalArgumentException("--name " + Names.RULE);
        }
        return name;
    }
}

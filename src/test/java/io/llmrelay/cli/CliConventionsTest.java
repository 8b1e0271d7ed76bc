package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.cli.probe.ProbeCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The command line follows one set of conventions everywhere: {@code -h}/{@code --help} on every
 * command (usage on standard output, exit 0), usages that list every option, and errors (exit 2,
 * nothing on standard output) that name the option and say what it needs.
 */
class CliConventionsTest {
    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyCommandTakesHelpAndDashH() {
        Map<List<String>, String> commands = new LinkedHashMap<>();
        commands.put(List.of(), "usage: java -jar llm-relay.jar <command>");
        commands.put(List.of("serve"), "usage: java -jar llm-relay.jar serve");
        commands.put(List.of("caller-key"), "usage: java -jar llm-relay.jar caller-key new --name NAME");
        commands.put(List.of("caller-key", "new"), "usage: java -jar llm-relay.jar caller-key new --name NAME");
        commands.put(List.of("encrypt-key"), "usage: echo -n \"$OPENAI_API_KEY\" | java -jar llm-relay.jar encrypt-key");
        commands.put(List.of("probe"), "usage: java -jar llm-relay.jar probe URL");
        commands.put(List.of("lambda"), "usage: java -jar llm-relay.jar lambda");
        for (Map.Entry<List<String>, String> command : commands.entrySet()) {
            for (String help : List.of("--help", "-h")) {
                List<String> args = new java.util.ArrayList<>(command.getKey());
                args.add(help);
                Run run = run(args.toArray(String[]::new));
                assertEquals(0, run.exit(), args + ": " + run.err());
                assertTrue(run.out().startsWith(command.getValue()), args + " printed: " + run.out());
                assertEquals("", run.err(), args.toString());
            }
        }
        Run helpServe = run("help", "serve");
        assertEquals(0, helpServe.exit());
        assertTrue(helpServe.out().startsWith("usage: java -jar llm-relay.jar serve"), helpServe.out());
        assertTrue(run("help").out().startsWith("usage: java -jar llm-relay.jar <command>"));
    }

    @Test
    void everyUsageListsEveryOptionOfItsCommandAndTheTopLevelListsThemAll() {
        Map<String, Set<String>> options = new LinkedHashMap<>();
        Set<String> serve = new TreeSet<>(ServeCommand.OPTIONS.keySet());
        serve.addAll(ServeCommand.FLAGS);
        options.put(ServeCommand.USAGE, serve);
        options.put(CallerKeyCommand.USAGE, CallerKeyCommand.OPTIONS.keySet());
        options.put(EncryptKeyCommand.USAGE, EncryptKeyCommand.OPTIONS.keySet());
        Set<String> probe = new TreeSet<>();
        Matcher option = Pattern.compile("^\\s+(--[a-z-]+)", Pattern.MULTILINE).matcher(ProbeCommand.USAGE);
        while (option.find()) {
            probe.add(option.group(1));
        }
        probe.remove("--help");
        assertTrue(probe.size() >= 10, "probe's options, read from its usage: " + probe);
        options.put(ProbeCommand.USAGE, probe);

        for (Map.Entry<String, Set<String>> command : options.entrySet()) {
            for (String name : command.getValue()) {
                Pattern listed = Pattern.compile(Pattern.quote(name) + "(?![a-z-])");
                assertTrue(listed.matcher(command.getKey()).find(), name + " in its command's usage:\n" + command.getKey());
                assertTrue(listed.matcher(Main.USAGE).find(), name + " in the top-level usage:\n" + Main.USAGE);
            }
            assertTrue(command.getKey().contains("-h, --help"), "help is listed:\n" + command.getKey());
        }
    }

    @Test
    void errorsNameTheOptionAndWhatItNeeds() {
        Map<List<String>, String> refused = new LinkedHashMap<>();
        refused.put(List.of("caller-key", "new", "--name"), "caller-key: --name needs a value: NAME, 1 to 64 letters");
        refused.put(List.of("caller-key", "new", "--name="), "caller-key: --name needs a value: NAME");
        refused.put(List.of("caller-key", "new", "--nmae", "a"), "caller-key: unknown option '--nmae'");
        refused.put(List.of("caller-key", "new", "--name", "a", "--name", "b"), "caller-key: --name given twice");
        refused.put(List.of("caller-key", "new"), "caller-key: --name is required: NAME");
        refused.put(List.of("caller-key", "--name", "a"), "caller-key: expected the subcommand 'new'");
        refused.put(List.of("caller-key", "old", "--name", "a"), "caller-key: unknown subcommand 'old'");
        refused.put(List.of("caller-key", "new", "--name", "a b"), "caller-key: --name must be 1 to 64 letters");
        refused.put(List.of("serve", "--port"), "serve: --port needs a value: a port number");
        refused.put(List.of("serve", "--port", "x"), "serve: --port needs a whole number, was 'x'");
        refused.put(List.of("serve", "--config", "--no-auth"), "serve: --config needs a value: the path of a relay config FILE");
        refused.put(List.of("serve", "--no-auth=yes"), "serve: --no-auth takes no value");
        refused.put(List.of("serve", "--timeout", "0"), "serve: --timeout must be between 1 and 900");
        refused.put(List.of("serve", "relay.json"), "serve: unexpected argument 'relay.json'");
        refused.put(List.of("serve", "--conifg", "relay.json"), "serve: unknown option '--conifg'");
        refused.put(List.of("encrypt-key", "--route"), "encrypt-key: --route needs a value: the route NAME");
        refused.put(List.of("encrypt-key", "--kms-key-id", "--route", "openai"), "encrypt-key: --kms-key-id needs a value");
        refused.put(List.of("encrypt-key", "--route", "a", "--route", "b"), "encrypt-key: --route given twice");
        refused.put(List.of("probe", "http://127.0.0.1:9/v1", "--key", "--model", "m"), "probe: --key needs a value");
        refused.put(List.of("probe", "http://127.0.0.1:9/v1", "--requests"), "probe: --requests needs a value");
        refused.put(List.of("lambda", "--port", "1"), "lambda: takes no options, was given '--port'");
        refused.put(List.of("sreve"), "llm-relay: unknown command 'sreve'");
        for (Map.Entry<List<String>, String> bad : refused.entrySet()) {
            Run run = run(bad.getKey().toArray(String[]::new));
            assertEquals(2, run.exit(), bad.getKey() + ": " + run.err());
            assertTrue(run.err().startsWith(bad.getValue()), bad.getKey() + " said: " + run.err());
            // probe's usage is pages long (its JSON format), so it points to --help instead
            assertTrue(run.err().contains("usage: ") || run.err().contains("probe --help lists the options"),
                    "and shows the usage: " + run.err());
            assertEquals("", run.out(), "nothing on standard output for " + bad.getKey());
        }
    }

    @Test
    void aValueThatLooksLikeAKeyIsNeverQuotedBack() {
        String key = "sk-proj-pasted-in-the-wrong-place-0123456789";
        for (String[] args : new String[][] {
                {"encrypt-key", "--kms-key-id", "alias/x", "--route", "openai", key},
                {"encrypt-key", "--kms-key-id", "alias/x", "--bogus=" + key},
                {"caller-key", "new", "--nmae=" + key}}) {
            Run run = run(args);
            assertEquals(2, run.exit());
            assertTrue(!run.err().contains(key), run.err());
        }
    }
}

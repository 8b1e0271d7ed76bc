package io.llmrelay.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One command's arguments, read the same way by every command: {@code --name value} or
 * {@code --name=value}, flags, {@code -h}/{@code --help} anywhere, and positional arguments. Every
 * error names the option and what it needs ("--name needs a value: NAME"); an option's value is
 * never quoted back, since it may be a key pasted in the wrong place.
 */
final class CommandLine {
    /** A positional argument and its place on the command line (1-based), for messages that must not quote it. */
    record Positional(int number, String text) {}

    /**
     * @param values the options given with their values
     * @param help   {@code -h} or {@code --help} was given: show the usage, ignore the rest
     */
    record Parsed(Map<String, String> values, Set<String> flags, List<Positional> positionals, boolean help) {
        String value(String option) {
            return values.get(option);
        }

        boolean flag(String option) {
            return flags.contains(option);
        }
    }

    private CommandLine() {}

    /**
     * @param valued options that take a value, each with what the value is ("NAME", "a port number")
     * @param flags  options that take none
     * @throws IllegalArgumentException naming the option and what is wrong
     */
    static Parsed parse(String[] args, Map<String, String> valued, Set<String> flags) {
        Map<String, String> values = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Positional> positionals = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("-h") || arg.equals("--help")) {
                return new Parsed(Map.of(), Set.of(), List.of(), true);
            }
        }
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("-") || arg.equals("-")) {
                positionals.add(new Positional(i + 1, arg));
                continue;
            }
            int equals = arg.indexOf('=');
            String name = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            if (flags.contains(name)) {
                if (!name.equals(arg)) {
                    throw new IllegalArgumentException(name + " takes no value");
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException(name + " given twice");
                }
                continue;
            }
            if (!valued.containsKey(name)) {
                throw new IllegalArgumentException("unknown option '" + name + "' (--help lists them)");
            }
            String value;
            if (!name.equals(arg)) {
                value = arg.substring(equals + 1);
            } else if (i + 1 < args.length && !isOption(args[i + 1], valued, flags)) {
                value = args[++i];
            } else {
                value = "";
            }
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " needs a value: " + valued.get(name));
            }
            if (values.putIfAbsent(name, value) != null) {
                throw new IllegalArgumentException(name + " given twice");
            }
        }
        seen.retainAll(flags);
        return new Parsed(values, seen, positionals, false);
    }

    /** Whether {@code arg} is one of this command's options, so it cannot be the value of the one before it. */
    private static boolean isOption(String arg, Map<String, String> valued, Set<String> flags) {
        String name = arg.startsWith("--") && arg.indexOf('=') > 0 ? arg.substring(0, arg.indexOf('=')) : arg;
        return valued.containsKey(name) || flags.contains(name);
    }
}

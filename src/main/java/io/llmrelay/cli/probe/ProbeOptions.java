package io.llmrelay.cli.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code probe}'s command line.
 *
 * @param json where {@code --json} writes, or null
 */
record ProbeOptions(List<Target> targets, String prompt, int requests, int concurrency, Path json, int timeoutSeconds) {
    static final String DEFAULT_MODEL = "gpt-4o-mini";
    static final String DEFAULT_PROMPT = "Count from 1 to 20, one number per line, nothing else.";

    private static final java.util.Set<String> OPTIONS = java.util.Set.of("--key", "--model", "--prompt", "--requests",
            "--concurrency", "--json", "--timeout", "--compare", "--compare-key", "--compare-model");

    /** What a value that is read from the environment looks like: {@code --key env:CALLER_KEY}. */
    private static final String ENV_PREFIX = "env:";

    /** @return null when help was asked for */
    static ProbeOptions parse(String[] args, Map<String, String> env) {
        Raw raw = new Raw();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String inline = null;
            if (arg.startsWith("--") && arg.contains("=")) {
                inline = arg.substring(arg.indexOf('=') + 1);
                arg = arg.substring(0, arg.indexOf('='));
            }
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            if (!arg.startsWith("-")) {
                if (raw.url != null) {
                    // not echoed: a key pasted without --key must not land in a terminal or a log
                    throw new IllegalArgumentException("takes one URL; a second one goes after --compare, a key after --key");
                }
                raw.url = arg;
                continue;
            }
            if (!OPTIONS.contains(arg)) {
                throw new IllegalArgumentException("unknown option '" + arg + "'");
            }
            String value = inline != null ? inline : value(args, ++i, arg);
            raw.set(arg, value);
        }
        return raw.build(env);
    }

    /** The options as given, before they are checked together. */
    private static final class Raw {
        String url;
        String key;
        String model = DEFAULT_MODEL;
        String prompt = DEFAULT_PROMPT;
        int requests = 5;
        int concurrency = 1;
        Path json;
        int timeout = 120;
        String compare;
        String compareKey;
        String compareModel;

        void set(String option, String value) {
            switch (option) {
                case "--key" -> key = value;
                case "--model" -> model = nonBlank(option, value);
                case "--prompt" -> prompt = nonBlank(option, value);
                case "--requests" -> requests = intValue(option, value, 1, 10_000);
                case "--concurrency" -> concurrency = intValue(option, value, 1, 256);
                case "--json" -> json = Path.of(nonBlank(option, value));
                case "--timeout" -> timeout = intValue(option, value, 1, 3600);
                case "--compare" -> compare = value;
                case "--compare-key" -> compareKey = value;
                case "--compare-model" -> compareModel = nonBlank(option, value);
                default -> throw new IllegalArgumentException("unknown option '" + option + "'");
            }
        }

        ProbeOptions build(Map<String, String> env) {
            if (url == null) {
                throw new IllegalArgumentException("the URL to probe is missing");
            }
            if (compare == null && (compareKey != null || compareModel != null)) {
                throw new IllegalArgumentException("--compare-key and --compare-model need --compare URL2");
            }
            if (json != null) {
                Path parent = json.toAbsolutePath().getParent();
                if (parent != null && !Files.isDirectory(parent)) {
                    throw new IllegalArgumentException("--json needs a file in an existing directory, and "
                            + parent + " is not one");
                }
            }
            List<Target> targets = new ArrayList<>();
            targets.add(new Target("A", endpoint("URL", url), model, resolve("--key", key, env)));
            if (compare != null) {
                targets.add(new Target("B", endpoint("--compare", compare),
                        compareModel != null ? compareModel : model, resolve("--compare-key", compareKey, env)));
            }
            return new ProbeOptions(List.copyOf(targets), prompt, requests, concurrency, json, timeout);
        }
    }

    private static java.net.URI endpoint(String what, String url) {
        try {
            return Target.endpoint(url);
        } catch (IllegalArgumentException e) {
            // printed without user info and query string: either may carry a key
            String shown = url.replaceAll("[?#].*", "?...").replaceFirst("//[^/]*@", "//...@");
            throw new IllegalArgumentException(what + " " + e.getMessage() + ", was '" + shown + "'");
        }
    }

    /** A key as given, or read from the environment for {@code env:NAME} (keeps it out of the process list). */
    private static String resolve(String option, String value, Map<String, String> env) {
        if (value == null) {
            return null;
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(option + " needs a key (or env:NAME), and was empty");
        }
        if (!value.startsWith(ENV_PREFIX)) {
            return value;
        }
        String name = value.substring(ENV_PREFIX.length());
        String key = env.get(name);
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException(option + " " + value + ": the environment variable " + name + " is not set");
        }
        return key.strip();
    }

    private static String value(String[] args, int index, String option) {
        // Another option where the value should be means the value was left out ("--key --model m").
        if (index >= args.length || OPTIONS.contains(args[index].replaceAll("=.*", ""))
                || args[index].equals("-h") || args[index].equals("--help")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[index];
    }

    private static String nonBlank(String option, String value) {
        if (value.isBlank()) {
            throw new IllegalArgumentException(option + " needs a value, and was empty");
        }
        return value;
    }

    private static int intValue(String option, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value.strip());
            if (n < min || n > max) {
                throw new IllegalArgumentException(option + " needs a whole number from " + min + " to " + max + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a whole number from " + min + " to " + max
                    + ", was '" + value + "'");
        }
    }
}

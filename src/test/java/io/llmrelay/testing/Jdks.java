package io.llmrelay.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** The JDKs on this machine, for tests of how the relay is started under different JDK layouts. */
public final class Jdks {
    private static final Pattern VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(?:1\\.)?(\\d+)");

    private Jdks() {}

    /** The JDK running the tests: 21 or newer, since the build requires it. */
    public static Path current() {
        return Path.of(System.getProperty("java.home"));
    }

    /**
     * A JDK older than 21 (the machine's default {@code java} here is 17): skipped where there is
     * none, failed under {@code CI=true}, where the machine is known to have one.
     */
    public static Path older() throws IOException {
        Optional<Path> found = Optional.empty();
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> homes = Files.list(jvms)) {
                found = homes.filter(home -> Files.isExecutable(home.resolve("bin/java")))
                        .filter(home -> major(home).map(v -> v < 21).orElse(false))
                        .sorted()
                        .findFirst();
            }
        }
        if (found.isEmpty()) {
            String message = "no JDK older than 21 under /usr/lib/jvm; this test needs one";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message + " (CI=true)");
            }
            Assumptions.abort(message);
        }
        return found.get();
    }

    /** The major version a JDK's {@code release} file states. */
    public static Optional<Integer> major(Path home) {
        try {
            Matcher m = VERSION.matcher(Files.readString(home.resolve("release")));
            return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

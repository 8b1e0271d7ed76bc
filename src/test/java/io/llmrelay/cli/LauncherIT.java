package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.Jdks;
import io.llmrelay.testing.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./llm-relay}, the launcher at the repository root, in a scratch checkout (the script,
 * pom.xml and a source file) with a stand-in for Maven that records how it was called and puts the
 * already-built jar in place: which JDK it picks under each layout, when it builds, and what it
 * says when it cannot. Nothing here runs a real Maven build.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LauncherIT {
    private static final Path BUILT_JAR = Path.of(System.getProperty("relay.jar", "target/llm-relay.jar"));
    private static final String FAKE_MVN = """
            #!/bin/sh
            echo "JAVA_HOME=$JAVA_HOME args=$*" >> "$FAKE_MVN_LOG"
            for arg in "$@"; do
                case $arg in -Drelay.build.dir=*) dir=${arg#-Drelay.build.dir=} ;; esac
            done
            mkdir -p "$dir" && cp "$REAL_JAR" "$dir/llm-relay.jar"
            """;

    @TempDir
    Path checkout;
    private Path source;
    private Path mvnLog;

    @BeforeEach
    void scratchCheckout() throws Exception {
        assertTrue(Files.isRegularFile(BUILT_JAR), BUILT_JAR + " is missing: this test runs after `package`");
        Files.copy(Path.of("llm-relay"), checkout.resolve("llm-relay"), StandardCopyOption.COPY_ATTRIBUTES);
        assertTrue(Files.isExecutable(checkout.resolve("llm-relay")), "the launcher is committed executable");
        Files.copy(Path.of("pom.xml"), checkout.resolve("pom.xml"));
        source = checkout.resolve("src/main/java/io/llmrelay/Example.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "class Example {}\n");
        Path mvn = checkout.resolve("bin/mvn");
        Files.createDirectories(mvn.getParent());
        Files.writeString(mvn, FAKE_MVN);
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        mvnLog = checkout.resolve("mvn.log");
        Files.writeString(mvnLog, "");
    }

    /** The environment of a shell whose PATH starts with {@code javaFirst}'s bin, plus Maven's stand-in. */
    private Map<String, String> env(Path javaFirst, Path javaHome) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", javaFirst.resolve("bin") + ":/usr/bin:/bin");
        if (javaHome != null) {
            env.put("JAVA_HOME", javaHome.toString());
        }
        env.put("MVN", checkout.resolve("bin/mvn").toString());
        env.put("FAKE_MVN_LOG", mvnLog.toString());
        env.put("REAL_JAR", BUILT_JAR.toAbsolutePath().toString());
        env.put("RELAY_JDK_DIRS", ""); // the layout under test must find the JDK, not the fallback
        return env;
    }

    private Shell.Result launch(String args, Map<String, String> env) throws Exception {
        return Shell.run("./llm-relay " + args, checkout, env, 90);
    }

    private void jarUpToDate() throws Exception {
        Path jar = checkout.resolve("target/llm-relay.jar");
        Files.createDirectories(jar.getParent());
        Files.copy(BUILT_JAR, jar, StandardCopyOption.REPLACE_EXISTING);
        Instant now = Instant.now();
        for (Path path : List.of(checkout.resolve("pom.xml"), source)) {
            Files.setLastModifiedTime(path, FileTime.from(now.minusSeconds(3600)));
        }
        Files.setLastModifiedTime(jar, FileTime.from(now.minusSeconds(60)));
    }

    @Test
    void aFreshCloneIsBuiltWithTheJdkFromJavaHomeThoughAnOldJavaIsFirstOnPath() throws Exception {
        Shell.Result run = launch("help", env(Jdks.older(), Jdks.current()));

        assertEquals(0, run.exit(), run.both());
        assertTrue(run.out().startsWith("usage: java -jar llm-relay.jar <command>"), run.out());
        assertTrue(run.err().contains("llm-relay: building target/llm-relay.jar (target/llm-relay.jar is missing) with the"
                + " JDK at " + Jdks.current()), run.err());
        List<String> builds = Files.readAllLines(mvnLog);
        assertEquals(1, builds.size(), builds.toString());
        assertEquals("JAVA_HOME=" + Jdks.current() + " args=-B -q package -DskipTests -Drelay.build.dir="
                + checkout.resolve("target"), builds.get(0));
    }

    @Test
    void anUpToDateJarIsRunWithoutABuild() throws Exception {
        jarUpToDate();

        Shell.Result run = launch("help serve", env(Jdks.older(), Jdks.current()));

        assertEquals(0, run.exit(), run.both());
        assertTrue(run.out().startsWith("usage: java -jar llm-relay.jar serve"), run.out());
        assertEquals("", run.err());
        assertEquals("", Files.readString(mvnLog), "no build");
    }

    @Test
    void anEditedSourceRebuildsAndSaysWhich() throws Exception {
        jarUpToDate();
        Files.setLastModifiedTime(source, FileTime.from(Instant.now()));

        Shell.Result run = launch("help", env(Jdks.older(), Jdks.current()));

        assertEquals(0, run.exit(), run.both());
        assertTrue(run.err().contains("(src/main/java/io/llmrelay/Example.java changed since the jar was built)"), run.err());
        assertEquals(1, Files.readAllLines(mvnLog).size());
    }

    @Test
    void theReverseLayoutNewJavaOnPathAndJavaHomeOldOrUnsetWorksToo() throws Exception {
        jarUpToDate();

        Shell.Result oldHome = launch("help", env(Jdks.current(), Jdks.older()));
        assertEquals(0, oldHome.exit(), oldHome.both());
        assertTrue(oldHome.out().startsWith("usage: "), oldHome.out());
        assertTrue(oldHome.err().startsWith("llm-relay: passing over JAVA_HOME: " + Jdks.older() + "/bin/java is Java "),
                oldHome.err());

        Shell.Result noHome = launch("help", env(Jdks.current(), null));
        assertEquals(0, noHome.exit(), noHome.both());
        assertEquals("", noHome.err());
    }

    @Test
    void withOnlyAnOldJavaItSaysWhatItFoundAndWhatToSet() throws Exception {
        Shell.Result run = launch("serve", env(Jdks.older(), null));

        assertEquals(1, run.exit(), run.both());
        assertEquals("", run.out());
        int major = Jdks.major(Jdks.older()).orElseThrow();
        assertTrue(run.err().startsWith("llm-relay: LLM Relay needs JDK 21 or newer, and found none (JAVA_HOME is not set; "
                + Jdks.older() + "/bin/java is Java " + major + " (on PATH)"), run.err());
        assertTrue(run.err().contains("Set JAVA_HOME to a JDK 21+ installation, e.g. "
                + "JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 ./llm-relay serve"), run.err());
        assertEquals("", Files.readString(mvnLog), "nothing was built");
    }

    @Test
    void theJdkDirectoriesAreTheLastResort() throws Exception {
        jarUpToDate();
        Map<String, String> env = env(Jdks.older(), null);
        env.put("RELAY_JDK_DIRS", Jdks.current().getParent().toString());

        Shell.Result run = launch("help", env);

        assertEquals(0, run.exit(), run.both());
        assertTrue(run.out().startsWith("usage: "), run.out());
    }

    @Test
    void argumentsReachTheCommandIntactAndItsExitStatusComesBack() throws Exception {
        jarUpToDate();

        Shell.Result run = launch("caller-key new --name 'two words'", env(Jdks.older(), Jdks.current()));

        assertEquals(2, run.exit(), run.both());
        assertTrue(run.err().startsWith("caller-key: --name must be 1 to 64"), run.err());
    }

    @Test
    void aBuildWithoutMavenSaysSo() throws Exception {
        Map<String, String> env = env(Jdks.older(), Jdks.current());
        env.put("MVN", "/nonexistent/mvn");

        Shell.Result run = launch("serve", env);

        assertEquals(1, run.exit(), run.both());
        assertTrue(run.err().contains("building needs Maven 3.8+ (target/llm-relay.jar is missing), and"
                + " '/nonexistent/mvn' is not on PATH."), run.err());
        assertFalse(Files.exists(checkout.resolve("target/llm-relay.jar")));
    }
}

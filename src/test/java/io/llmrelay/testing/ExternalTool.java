package io.llmrelay.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Finds a command-line tool a test needs (cfn-lint, node, moto_server). Where it is missing the
 * test is skipped on a developer's machine, but fails under CI ({@code CI=true}): CI installs
 * everything, so a missing tool there is a broken set-up, not a reason to test less.
 */
public final class ExternalTool {
    private static final List<String> EXTRA_DIRS = List.of(
            "/root/.pyenv/shims", "/root/.pyenv/versions/3.11.7/bin", "/usr/local/bin", "/usr/bin");

    private ExternalTool() {}

    public static Path require(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + File.pathSeparator + String.join(File.pathSeparator, EXTRA_DIRS))
                .split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        String message = name + " is not installed; this test needs it";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + " (CI=true: a missing tool is a failure, not a skip)");
        }
        Assumptions.abort(message);
        return null; // unreachable
    }
}

package io.llmrelay.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs shell command lines as a person would type them ({@code sh -c '...'}), in a directory, with
 * exactly the environment given (nothing inherited), and collects what they print.
 */
public final class Shell {
    /** What one command line did. */
    public record Result(int exit, String out, String err) {
        public String both() {
            return out + err;
        }
    }

    private Shell() {}

    /** Starts {@code sh -c line}; the caller reads or redirects its output and stops it ({@link #stop}). */
    public static ProcessBuilder builder(String line, Path dir, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", line).directory(dir.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder;
    }

    /** Runs {@code line} to its end, within {@code seconds}. */
    public static Result run(String line, Path dir, Map<String, String> env, int seconds) throws Exception {
        Process process = builder(line, dir, env).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            stop(process);
            throw new AssertionError("`" + line + "` did not finish within " + seconds + " s; printed:\n"
                    + out.getNow("") + err.getNow(""));
        }
        return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    /** Stops a process and everything it started (a shell's children first). */
    public static void stop(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                stream.transferTo(bytes);
                return bytes.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

package io.llmrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A CPU quota for a child process, as Lambda gives a function a share of a vCPU in proportion to its
 * memory ("at 1,769 MB, a function has the equivalent of one vCPU",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html): a cgroup with a CFS quota of
 * {@code share * period} microseconds per {@code period}, cgroup v2 {@code cpu.max} where the unified
 * hierarchy has the cpu controller, else cgroup v1 {@code cpu.cfs_quota_us} (this machine: v1). The
 * process joins it through a launcher script that writes its own pid into the group and execs java.
 * {@link #create} returns null when neither is writable (then the caller says the share is not applied).
 */
final class CpuShare implements AutoCloseable {
    private final Path group;
    private final Path launcher;
    private final String mechanism;

    private CpuShare(Path group, Path launcher, String mechanism) {
        this.group = group;
        this.launcher = launcher;
        this.mechanism = mechanism;
    }

    /** @param share of one CPU, e.g. 0.29 for 512 MB; {@code java} the binary the launcher execs */
    static CpuShare create(String name, double share, long periodMicros, String java) throws IOException {
        long quota = Math.max(1000, Math.round(share * periodMicros));
        Path v2 = Path.of("/sys/fs/cgroup/cgroup.controllers");
        Path group;
        String mechanism;
        try {
            if (Files.isRegularFile(v2) && Files.readString(v2).contains("cpu")) {
                group = Files.createDirectories(Path.of("/sys/fs/cgroup", name));
                Files.writeString(group.resolve("cpu.max"), quota + " " + periodMicros);
                mechanism = "cgroup v2 cpu.max " + quota + " " + periodMicros;
            } else {
                group = Files.createDirectories(Path.of("/sys/fs/cgroup/cpu", name));
                Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(periodMicros));
                Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(quota));
                mechanism = "cgroup v1 cpu.cfs_quota_us " + quota + " / cpu.cfs_period_us " + periodMicros;
            }
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        Path launcher = Files.createTempFile("cpushare-" + name, ".sh");
        Files.writeString(launcher, "#!/bin/sh\necho $$ > " + group.resolve("cgroup.procs") + "\nexec " + java + " \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwx------"));
        return new CpuShare(group, launcher, mechanism);
    }

    /** What to start instead of java: the same arguments, run inside the group. */
    String launcher() {
        return launcher.toString();
    }

    String mechanism() {
        return mechanism;
    }

    /** How often and how long the group was throttled so far (from cpu.stat). */
    String throttled() {
        try {
            return Files.readString(group.resolve("cpu.stat")).replace('\n', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws IOException {
        Files.deleteIfExists(launcher);
        try {
            Files.deleteIfExists(group); // rmdir; the group is empty once its processes are gone
        } catch (IOException e) {
            System.err.println("could not remove " + group + ": " + e);
        }
    }
}

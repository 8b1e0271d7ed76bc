package io.llmrelay.runtime;

/**
 * What a handler does around a Lambda SnapStart snapshot, for a handler that implements it. The
 * runtime calls both only when {@code AWS_LAMBDA_INITIALIZATION_TYPE} is {@code snap-start}
 * ({@link SnapStartRestore}), in the order of the managed Java runtime's client
 * (aws-lambda-java-libs, AWSLambda.java {@code onInitComplete}): the handler's init, then
 * {@link #beforeCheckpoint()}, then {@code GET /runtime/restore/next} (the snapshot is taken while
 * it waits), then, in every environment restored from that snapshot, {@link #afterRestore()},
 * then the first {@code next}.
 *
 * <p>A plain interface of ours rather than {@code org.crac.Resource}: the relay's hooks are few and
 * run in a fixed order the handler decides, no library in the package registers CRaC resources,
 * and the managed runtime's CRaC shim ({@code com.amazonaws.services.lambda.crac}) is on Lambda's
 * class path, which relay-wrapper replaces, so {@code org.crac} would mean one more jar in the
 * package for a global registry nothing else uses.
 */
public interface SnapStartHooks {
    /** For handlers without hooks. */
    SnapStartHooks NONE = new SnapStartHooks() {
        @Override
        public void beforeCheckpoint() {}

        @Override
        public void afterRestore() {}
    };

    /**
     * Init is done: whatever this leaves in memory is in the snapshot that every restored
     * environment starts from (warmed code: yes; a resolved secret, an open connection: no).
     * A failure is reported to {@code /runtime/init/error} ({@code Runtime.BeforeCheckpointError})
     * and no snapshot is taken.
     */
    void beforeCheckpoint() throws Exception;

    /**
     * This environment was restored from the snapshot: renew what must differ per environment or
     * may have gone stale since (randomness, connections, credentials, a configuration read from
     * a store). Lambda gives the whole restore phase 10 seconds. A failure is reported to
     * {@code /runtime/restore/error} ({@code Runtime.AfterRestoreError}) and the environment is
     * discarded.
     */
    void afterRestore() throws Exception;
}

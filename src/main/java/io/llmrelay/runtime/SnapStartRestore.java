package io.llmrelay.runtime;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * SnapStart's side of the Runtime API, which the managed Java runtime's client speaks and which a
 * runtime started through an exec wrapper therefore owns: after init, the handler's
 * {@link SnapStartHooks#beforeCheckpoint()}, then {@code GET /runtime/restore/next}, then
 * {@link SnapStartHooks#afterRestore()}; a failure of the first goes to {@code /runtime/init/error},
 * of the last to {@code /runtime/restore/error}, and either ends the process, as
 * aws-lambda-java-libs AWSLambda.java {@code onInitComplete} does. References:
 * https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-custom.html (the Runtime API
 * calls a SnapStart runtime makes, in order) and
 * https://docs.aws.amazon.com/lambda/latest/dg/snapstart-troubleshooting.html (the restore phase,
 * after-restore hooks included, times out after 10 seconds).
 */
final class SnapStartRestore {
    /** Set by Lambda: {@code on-demand}, {@code provisioned-concurrency} or {@code snap-start}. */
    static final String ENV_INIT_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE";
    static final String BEFORE_CHECKPOINT_ERROR = "Runtime.BeforeCheckpointError";
    static final String AFTER_RESTORE_ERROR = "Runtime.AfterRestoreError";

    private SnapStartRestore() {}

    /** Whether this environment's init is being snapshotted: only then is there a restore exchange. */
    static boolean requested(Map<String, String> env) {
        return "snap-start".equals(env.get(ENV_INIT_TYPE));
    }

    /**
     * The whole exchange, on the connection of the environment's first loop.
     *
     * @return null when the environment was restored and goes on to {@code next}; otherwise why it ends
     */
    static RuntimeLoop.Exit run(RuntimeApiClient client, RequestStreamHandler handler, PrintStream log) {
        SnapStartHooks hooks = handler instanceof SnapStartHooks h ? h : SnapStartHooks.NONE;
        try {
            hooks.beforeCheckpoint();
        } catch (Exception e) {
            log.println("llm-relay runtime: before the snapshot: " + Failures.describe(e));
            report(log, "init/error", () -> client.reportInitError(ErrorReport.of(BEFORE_CHECKPOINT_ERROR, e)));
            return RuntimeLoop.Exit.INIT_FAILED;
        }
        try {
            client.restoreNext();
        } catch (IOException e) {
            log.println("llm-relay runtime: restore/next failed, stopping: " + Failures.describe(e));
            return RuntimeLoop.Exit.RUNTIME_API_FAILED;
        }
        try {
            hooks.afterRestore();
        } catch (Exception e) {
            log.println("llm-relay runtime: after the restore: " + Failures.describe(e));
            report(log, "restore/error", () -> client.reportRestoreError(ErrorReport.of(AFTER_RESTORE_ERROR, e)));
            return RuntimeLoop.Exit.RESTORE_FAILED;
        }
        return null;
    }

    private interface Post {
        void send() throws IOException;
    }

    private static void report(PrintStream log, String call, Post post) {
        try {
            post.send();
        } catch (IOException e) {
            log.println("llm-relay runtime: could not report to " + call + ": " + Failures.describe(e));
        }
    }
}

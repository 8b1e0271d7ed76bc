package io.llmrelay.app;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.SecretsManagerConfigSource;
import io.llmrelay.json.Json;
import io.llmrelay.relay.RelayHandler;
import io.llmrelay.relay.attempt.RetryWaits;
import io.llmrelay.runtime.SnapStartHooks;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The function's handler on Lambda ({@code Handler} in template.yaml): the relay with its set-up
 * from the environment, built once per execution environment during init. A configuration error
 * thrown here is the init error Lambda reports.
 *
 * <p>With SnapStart (README "SnapStart") the runtime also calls the two hooks: before the snapshot,
 * the request path is primed in process ({@link RequestPathPriming}); after each restore, what
 * must differ per environment or may have gone stale is renewed (the retry jitter's seed, the
 * upstream HTTP client and its pool, the AWS credentials, a configuration kept in a secret).
 */
public final class LambdaHandler implements RequestStreamHandler, SnapStartHooks {
    /**
     * How long the after-restore step waits for a configuration secret. Lambda gives the whole
     * restore phase 10 seconds; a read still running then goes on, and requests wait for it.
     */
    static final Duration CONFIG_READ_WAIT = Duration.ofSeconds(4);

    private final RelaySetups.ForLambda setup;
    private final RelayHandler relay;

    public LambdaHandler() {
        this(System.getenv(), AwsClients.standard());
    }

    LambdaHandler(Map<String, String> env, AwsClients aws) {
        this.setup = RelaySetups.forLambda(env, aws);
        this.relay = new RelayHandler(setup.relay());
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        relay.handleRequest(input, output, context);
    }

    /** The request path, run in process against the demo model; no key is resolved, nothing leaves the process. */
    @Override
    public void beforeCheckpoint() throws IOException {
        RequestPathPriming.run();
    }

    /**
     * Once per restored environment, before its first request. Connections made before the
     * snapshot are gone and randomness drawn before it is every restored environment's, so: new
     * retry jitter, a new upstream HTTP client (the JDK's has no way to empty its pool), the AWS
     * credentials fetched again on next use, and a configuration from Secrets Manager read again
     * (the one in the snapshot may be days old). What throws here goes to
     * {@code /runtime/restore/error} and Lambda discards the environment.
     */
    @Override
    public void afterRestore() {
        RetryWaits.reseed();
        setup.upstreams().renew();
        setup.aws().renewCredentials();
        if (setup.config() instanceof SecretsManagerConfigSource secret) {
            secret.forget();
            readAgain(secret);
        }
    }

    /**
     * Reads the configuration secret now, waiting at most {@link #CONFIG_READ_WAIT}. A failure is not
     * the restore's: requests answer 503 {@code config_unavailable} until the secret can be read, as
     * they do when it cannot be read at init.
     */
    private static void readAgain(ConfigSource secret) {
        CompletableFuture<Void> read = CompletableFuture.runAsync(() -> {
            try {
                secret.current();
            } catch (ConfigSource.ConfigUnavailableException e) {
                notice("config_unavailable", "after the restore: " + e.getMessage());
            }
        }, runnable -> {
            Thread thread = new Thread(runnable, "llm-relay-config-read");
            thread.setDaemon(true);
            thread.start();
        });
        try {
            read.get(CONFIG_READ_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            notice("config_warning", "after the restore: reading the configuration takes over "
                    + CONFIG_READ_WAIT.toSeconds() + " s; requests wait for it");
        } catch (ExecutionException e) {
            notice("config_unavailable", "after the restore: " + e.getCause().getClass().getName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void notice(String kind, String message) {
        ObjectNode line = Json.object();
        line.put("log", kind);
        line.put("message", message);
        System.out.println(Json.write(line));
    }
}

package io.llmrelay.aws;

import io.llmrelay.keys.KeyDigest;
import io.llmrelay.keys.KeyReference;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.keys.KeyUnavailableException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A fresh JVM doing what a cold relay does up to its first upstream key, with the AWS setup taken
 * from the real process environment exactly as on Lambda ({@link AwsClients#standard()},
 * {@code AWS_REGION}, {@code AWS_ENDPOINT_URL*}, default credentials chain).
 *
 * <p>{@code FirstKeyProbe <eager|lazy> <route> <reference>}: "init" (eager: build the clients the
 * reference needs now; lazy: nothing), print {@code ready}, wait for a line on stdin (the
 * first invocation), resolve the reference, print {@code key <sha256 of the key>} (never the key)
 * or {@code unavailable <message>}.
 */
public final class FirstKeyProbe {
    private FirstKeyProbe() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("eager")) {
            // What KeyResolvers.prepare does under SnapStart: build the clients the reference needs.
            boolean secretsManager = args[2].startsWith("secretsmanager:");
            AwsClients.standard().buildNow(secretsManager || args[2].startsWith("kms:"), secretsManager);
        }
        KeyResolver resolver = KeyResolvers.standard(System.getenv(), Duration.ofMinutes(5));
        System.out.println("ready");
        System.out.flush();

        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        try {
            String key = resolver.resolve(args[1], KeyReference.parse(args[2]));
            System.out.println("key " + KeyDigest.sha256Hex(key));
        } catch (KeyUnavailableException e) {
            System.out.println("unavailable " + e.getMessage());
        }
        System.out.flush();
        System.exit(0);
    }
}

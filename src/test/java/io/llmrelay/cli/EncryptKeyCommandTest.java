package io.llmrelay.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;

/** Argument and input checks of encrypt-key; the KMS round trip is in KeySourcesContract (moto, LocalStack). */
class EncryptKeyCommandTest {
    private static final String KEY = "sk-proj-ARGUMENT-0123456789";
    private static final Supplier<KmsClient> NO_KMS = () -> fail("KMS must not be called");

    private record Result(int exit, String out, String err) {}

    private static Result run(String stdin, Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = EncryptKeyCommand.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                env, NO_KMS);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void keyAsAnArgumentIsRefusedWithTheReason() {
        for (String[] args : new String[][] {
                {"--kms-key-id", "alias/x", "--route", "openai", "--key", KEY},
                {"--kms-key-id", "alias/x", "--route", "openai", "--key=" + KEY},
                {"--api-key", KEY}}) {
            Result result = run("", Map.of(), args);
            assertEquals(2, result.exit());
            assertTrue(result.err().contains("process list"), result.err());
            assertTrue(result.err().contains("standard input"), result.err());
            assertFalse(result.err().contains(KEY), "the key is not repeated");
            assertEquals("", result.out());
        }
    }

    @Test
    void strayPositionalArgumentIsNotEchoed() {
        Result result = run(KEY, Map.of(), "--kms-key-id", "alias/x", "--route", "openai", KEY);
        assertEquals(2, result.exit());
        assertTrue(result.err().contains("unexpected argument #5 (not shown, in case it is a key)"), result.err());
        assertFalse(result.err().contains(KEY));
    }

    @Test
    void routeAndKeyIdAreRequired() {
        Result noRoute = run(KEY, Map.of(), "--kms-key-id", "alias/x");
        assertEquals(2, noRoute.exit());
        assertTrue(noRoute.err().contains("--route is required"), noRoute.err());

        Result noKeyId = run(KEY, Map.of(), "--route", "openai");
        assertEquals(2, noKeyId.exit());
        assertTrue(noKeyId.err().contains("--kms-key-id is required (or set RELAY_KMS_KEY_ID)"), noKeyId.err());

        Result badRoute = run(KEY, Map.of(), "--kms-key-id", "alias/x", "--route", "open ai");
        assertEquals(2, badRoute.exit());
        assertTrue(badRoute.err().contains("the route name must be 1 to 64"), badRoute.err());
    }

    @Test
    void emptyOrMultiLineInputIsRefused() {
        Result empty = run("\n", Map.of(), "--kms-key-id", "alias/x", "--route", "openai");
        assertEquals(2, empty.exit());
        assertTrue(empty.err().contains("standard input is empty"), empty.err());

        Result twoLines = run("OPENAI_API_KEY=" + KEY + "\nGROQ_API_KEY=gsk\n", Map.of(),
                "--kms-key-id", "alias/x", "--route", "openai");
        assertEquals(2, twoLines.exit());
        assertTrue(twoLines.err().contains("more than one line"), twoLines.err());
        assertFalse(twoLines.err().contains(KEY));
    }

    @Test
    void keyIdDefaultsToTheEnvironmentAndKmsFailureIsReported() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String[] seen = new String[1];
        int exit = EncryptKeyCommand.run(new String[] {"--route", "openai"},
                new ByteArrayInputStream(KEY.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                Map.of(EncryptKeyCommand.ENV_KEY_ID, "alias/llm-relay-test"),
                () -> {
                    seen[0] = "called";
                    throw software.amazon.awssdk.core.exception.SdkClientException.create("Unable to load region");
                });
        assertEquals("called", seen[0], "KMS is reached once the arguments are complete");
        assertEquals(1, exit);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("KMS Encrypt with key alias/llm-relay-test failed"), text);
        assertFalse(text.contains(KEY));
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}

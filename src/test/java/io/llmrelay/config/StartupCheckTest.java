package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Start-up names the config in force and everything in it that will refuse requests, never a value. */
class StartupCheckTest {
    private static final String CALLER = "{\"name\": \"vapi\", \"keySha256\": \"" + "a".repeat(64) + "\"}";

    private static RelayConfig config(String callers, String... routes) {
        return ConfigLoader.parse("{\"callers\": [" + callers + "], \"routes\": [" + String.join(",", routes) + "]}", "t");
    }

    private static String route(String name, String apiKey) {
        return "{\"name\": \"" + name + "\", \"baseUrl\": \"https://" + name + ".example/v1\", \"models\": [\"" + name
                + "-m\"]" + (apiKey == null ? "" : ", \"apiKey\": \"" + apiKey + "\"") + "}";
    }

    private static List<StartupNotice> run(RelayConfig config, Map<String, String> env, boolean authOff) {
        return StartupCheck.run(Optional.of("--config relay.json"), config, env, authOff, StartupCheck.Where.SERVE);
    }

    /**
     * The property over generated configs: exactly the routes whose {@code env:} variable is unset
     * or blank get one warning each, naming the route and the variable; no notice ever holds a
     * variable's value; other schemes and keyless routes get none.
     */
    @Test
    void everyUnsetEnvVariableIsNamedOnceAndNoValueEver() {
        Random random = new Random(12);
        for (int round = 0; round < 300; round++) {
            int count = 1 + random.nextInt(6);
            List<String> routes = new ArrayList<>();
            Map<String, String> env = new HashMap<>();
            Set<String> expectedUnset = new TreeSet<>();
            for (int r = 0; r < count; r++) {
                String name = "r" + r;
                String variable = "KEY_" + round + "_" + r;
                String apiKey = switch (random.nextInt(5)) {
                    case 0 -> null;
                    case 1 -> "kms:AQIDBAU=";
                    case 2 -> "secretsmanager:llm-relay/" + name;
                    default -> "env:" + variable;
                };
                if (apiKey != null && apiKey.startsWith("env:")) {
                    switch (random.nextInt(3)) {
                        case 0 -> expectedUnset.add(name + "/" + variable);
                        case 1 -> {
                            env.put(variable, random.nextBoolean() ? "" : " \n");
                            expectedUnset.add(name + "/" + variable);
                        }
                        default -> env.put(variable, "sk-secret-value-" + round + "-" + r);
                    }
                }
                routes.add(route(name, apiKey));
            }
            List<StartupNotice> notices = run(config(CALLER, routes.toArray(String[]::new)), env, false);

            Set<String> warned = new TreeSet<>();
            for (StartupNotice notice : notices) {
                for (String value : env.values()) {
                    assertFalse(!value.isBlank() && (notice.message().contains(value) || notice.json().contains(value)),
                            () -> "a variable's value in a notice: " + notice);
                }
                if (notice.level() == StartupNotice.Level.WARNING) {
                    String routeName = notice.message().replaceAll("^route '([^']+)'.*", "$1");
                    String variable = notice.message().replaceAll(".*environment variable (\\S+) is.*", "$1");
                    assertTrue(warned.add(routeName + "/" + variable), () -> "warned twice: " + notices);
                    assertTrue(notice.message().contains("503 upstream_key_unavailable"), notice.message());
                }
            }
            assertEquals(expectedUnset, warned, "round " + round + ": " + routes + " / " + env.keySet());
            assertEquals(StartupNotice.Level.INFO, notices.get(0).level());
            assertEquals(notices.size(), 1 + expectedUnset.size(), notices::toString);
        }
    }

    @Test
    void noCallersWithAuthOnIsLoudAndSaysWhatToDo() {
        List<StartupNotice> notices = run(config("", route("openai", null)), Map.of(), false);
        StartupNotice alert = notices.get(notices.size() - 1);
        assertEquals(StartupNotice.Level.ALERT, alert.level());
        assertTrue(alert.message().contains("EVERY request will be refused with 401"), alert.message());
        assertTrue(alert.message().contains("caller-key new --name NAME"), alert.message());
        assertTrue(alert.message().contains("serve --no-auth"), alert.message());
        assertTrue(alert.readable().startsWith("  !!! NO CALLERS:"), alert.readable());

        List<StartupNotice> onLambda = StartupCheck.run(Optional.empty(), config("", route("openai", null)), Map.of(),
                false, StartupCheck.Where.LAMBDA);
        assertFalse(onLambda.get(onLambda.size() - 1).message().contains("--no-auth"), "Lambda has no --no-auth");

        assertTrue(run(config("", route("openai", null)), Map.of(), true).stream()
                .noneMatch(n -> n.level() == StartupNotice.Level.ALERT), "auth off: nothing is refused");
        assertTrue(run(config(CALLER, route("openai", null)), Map.of(), false).stream()
                .noneMatch(n -> n.level() == StartupNotice.Level.ALERT));
    }

    @Test
    void theSourceIsNamedWithWhatItHolds() {
        Map<String, String> env = Map.of("RELAY_CONFIG_FILE", " /etc/relay.json ");
        assertEquals("from RELAY_CONFIG_FILE=/etc/relay.json: 1 route(s), 1 caller(s)",
                StartupCheck.run(ConfigSources.origin(null, env), config(CALLER, route("a", null)), env, false,
                        StartupCheck.Where.LAMBDA).get(0).message());
        assertEquals(Optional.of("RELAY_CONFIG (inline JSON)"), ConfigSources.origin(null, Map.of("RELAY_CONFIG", "{}")));
        assertEquals(Optional.of("RELAY_CONFIG_SECRET=llm-relay/config"),
                ConfigSources.origin(null, Map.of("RELAY_CONFIG_SECRET", "llm-relay/config\n")));
        assertEquals(Optional.of("--config relay.json"), ConfigSources.origin(Path.of("relay.json"), Map.of()));
        assertEquals(Optional.empty(), ConfigSources.origin(null, Map.of("RELAY_CONFIG", " ")));

        StartupNotice none = StartupCheck.run(Optional.empty(), new RelayConfig(List.of(), List.of()), Map.of(), false,
                StartupCheck.Where.LAMBDA).get(0);
        assertTrue(none.message().startsWith("none: no --config, RELAY_CONFIG, RELAY_CONFIG_FILE or RELAY_CONFIG_SECRET"
                + " (template parameters RelayConfig, ConfigSecretArn)"), none.message());
        StartupNotice unread = StartupCheck.run(Optional.of("RELAY_CONFIG_SECRET=s"), null, Map.of(), false,
                StartupCheck.Where.LAMBDA).get(0);
        assertEquals("from RELAY_CONFIG_SECRET=s (not read yet)", unread.message());
    }

    @Test
    void onLambdaEachNoticeIsOneJsonLine() throws Exception {
        List<StartupNotice> notices = StartupCheck.run(Optional.of("RELAY_CONFIG (inline JSON)"),
                config("", route("a", "env:A_KEY")), Map.of(), false, StartupCheck.Where.LAMBDA);
        assertEquals(List.of("config_source", "config_warning", "config_warning"),
                notices.stream().map(StartupNotice::kind).collect(Collectors.toList()));
        for (StartupNotice notice : notices) {
            assertFalse(notice.json().contains("\n"), notice.json());
            JsonNode line = Json.MAPPER.readTree(notice.json());
            assertEquals(notice.kind(), line.get("log").asText());
            assertEquals(notice.message(), line.get("message").asText());
            assertEquals(notice.level().name().toLowerCase(java.util.Locale.ROOT), line.get("level").asText());
        }
    }
}

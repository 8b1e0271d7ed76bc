package io.llmrelay.sam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.metrics.CloudFormationYaml;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * template.yaml's {@code BedrockModelArns} parameter: the function's role may call
 * {@code bedrock:InvokeModel} and {@code bedrock:InvokeModelWithResponseStream} (what Converse and
 * ConverseStream require) on exactly the listed ARNs, and gets no Bedrock permission at all when the
 * list is empty. The role's policy statements are evaluated here as CloudFormation would for
 * generated parameter values ({@code Fn::If} on the template's conditions, {@code Ref},
 * {@code Fn::Join}, {@code Fn::Equals}, {@code Fn::Not}; {@code AWS::NoValue} removes the statement).
 */
class BedrockModelArnsTemplateTest {
    private static final Object NO_VALUE = new Object();
    private static Map<String, Object> template;

    @BeforeAll
    static void read() throws Exception {
        template = CloudFormationYaml.read(Path.of("template.yaml"));
    }

    @Test
    void anEmptyListGrantsNoBedrockPermission() {
        List<Map<String, Object>> statements = statements(List.of(""));
        assertTrue(statements.size() >= 2, "the role keeps its other statements: " + statements);
        for (Map<String, Object> statement : statements) {
            assertTrue(actions(statement).stream().noneMatch(a -> a.startsWith("bedrock:")), statement.toString());
        }
    }

    @Test
    void generatedListsGrantExactlyTheConverseActionsOnExactlyThoseArns() {
        Random random = new Random(2027);
        for (int i = 0; i < 40; i++) {
            List<String> arns = new ArrayList<>();
            for (int n = 1 + random.nextInt(5); n > 0; n--) {
                arns.add(random.nextBoolean()
                        ? "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-" + random.nextInt(1000) + "-v1:0"
                        : "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-" + random.nextInt(1000));
            }
            List<Map<String, Object>> bedrock = statements(arns).stream()
                    .filter(s -> actions(s).stream().anyMatch(a -> a.startsWith("bedrock:"))).toList();
            assertEquals(1, bedrock.size(), arns.toString());
            Map<String, Object> statement = bedrock.getFirst();
            assertEquals("Allow", statement.get("Effect"));
            assertEquals(Set.of("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"), actions(statement));
            assertEquals(arns, statement.get("Resource"), "exactly the listed ARNs");
            assertEquals(null, statement.get("Condition"));
        }
    }

    /** The function's policy statements, resolved for {@code BedrockModelArns} = {@code arns}. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(List<String> arns) {
        Map<String, Object> resources = (Map<String, Object>) template.get("Resources");
        Map<String, Object> function = (Map<String, Object>) resources.get("RelayFunction");
        List<Object> policies = (List<Object>) ((Map<String, Object>) function.get("Properties")).get("Policies");
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : policies) {
            Object resolved = resolve(policy, arns);
            if (resolved instanceof Map<?, ?> document && document.get("Statement") instanceof List<?> list) {
                list.forEach(s -> statements.add((Map<String, Object>) s));
            }
        }
        return statements;
    }

    /** The parts of an intrinsic function this check needs; anything else stays as it is. */
    @SuppressWarnings("unchecked")
    private static Object resolve(Object node, List<String> arns) {
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                Object value = resolve(item, arns);
                if (value != NO_VALUE) {
                    out.add(value);
                }
            }
            return out;
        }
        if (!(node instanceof Map<?, ?> map)) {
            return node;
        }
        if (map.size() == 1 && map.containsKey("Ref")) {
            Object name = map.get("Ref");
            return name.equals("BedrockModelArns") ? arns : name.equals("AWS::NoValue") ? NO_VALUE : map;
        }
        if (map.size() == 1 && map.containsKey("Fn::If")) {
            List<Object> branches = (List<Object>) map.get("Fn::If");
            Object condition = ((Map<String, Object>) template.get("Conditions")).get((String) branches.get(0));
            // A condition that depends on more than BedrockModelArns counts as true: whatever it guards
            // is granted in some stack, so a Bedrock grant behind it shows up when the list is empty.
            Object chosen = Boolean.FALSE.equals(condition(condition, arns)) ? branches.get(2) : branches.get(1);
            return resolve(chosen, arns);
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        map.forEach((key, value) -> {
            Object resolved = resolve(value, arns);
            if (resolved != NO_VALUE) {
                out.put((String) key, resolved);
            }
        });
        return out;
    }

    /** A condition's value: true, false, or null when it depends on more than BedrockModelArns. */
    @SuppressWarnings("unchecked")
    private static Object condition(Object node, List<String> arns) {
        if (!(node instanceof Map<?, ?> map) || map.size() != 1) {
            return node;
        }
        Object argument = map.values().iterator().next();
        return switch ((String) map.keySet().iterator().next()) {
            case "Fn::Not" -> {
                Object inner = condition(((List<Object>) argument).get(0), arns);
                yield inner instanceof Boolean b ? !b : null;
            }
            case "Fn::Equals" -> {
                Object left = condition(((List<Object>) argument).get(0), arns);
                Object right = condition(((List<Object>) argument).get(1), arns);
                yield left instanceof String && right instanceof String ? left.equals(right) : null;
            }
            case "Fn::Join" -> {
                List<Object> join = (List<Object>) argument;
                Object values = condition(join.get(1), arns);
                yield values instanceof List<?> list ? String.join((String) join.get(0), (List<String>) list) : null;
            }
            case "Ref" -> argument.equals("BedrockModelArns") ? arns : null;
            default -> null;
        };
    }

    private static Set<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        Set<String> actions = new TreeSet<>();
        if (action instanceof String one) {
            actions.add(one);
        } else if (action instanceof List<?> many) {
            many.forEach(a -> actions.add(String.valueOf(a)));
        }
        return actions;
    }
}

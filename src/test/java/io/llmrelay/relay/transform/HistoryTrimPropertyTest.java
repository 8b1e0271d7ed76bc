package io.llmrelay.relay.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ParamRules;
import io.llmrelay.config.RouteTransform;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatCompletionRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The README's promise for {@code maxHistoryMessages} / {@code maxHistoryChars}, over generated
 * conversations (instructions anywhere, plain turns, tool calls with one to three results, text
 * written compactly or spaced, escapes) and budgets: every system and developer message is kept;
 * of the rest, the newest turns, as many as fit, unbroken; a tool call is never kept without all
 * of its results nor a result without its call; the newest turn always; and every kept message is
 * the caller's own text.
 */
class HistoryTrimPropertyTest {
    private static final int CONVERSATIONS = 3000;

    /** One generated message: its JSON text and what the checks need to know of it. */
    private record Message(String text, String role, List<String> callIds, String answers) {
        boolean instruction() {
            return role.equals("system") || role.equals("developer");
        }
    }

    @Test
    void trimmingKeepsInstructionsAndTheNewestWholeTurnsWithinTheBudget() throws Exception {
        Random random = new Random(15);
        for (int n = 0; n < CONVERSATIONS; n++) {
            List<Message> input = conversation(random);
            int maxMessages = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(8);
            long total = input.stream().mapToLong(m -> m.text().length()).sum();
            long maxChars = random.nextInt(3) == 0 ? 0 : 1 + (long) (random.nextDouble() * total);
            String body = "{\"model\":\"m\",\"messages\":[" + String.join(random.nextBoolean() ? "," : " ,\n ",
                    input.stream().map(Message::text).toList()) + "]}";
            ChatCompletionRequest request = ChatCompletionRequest.parse(body.getBytes(StandardCharsets.UTF_8));
            RouteTransform transform = new RouteTransform(null, ParamRules.NONE, maxMessages, maxChars);

            List<String> output = RequestTransform.apply(transform, request, name -> null).messageTexts();

            String context = "conversation " + n + " (maxMessages " + maxMessages + ", maxChars " + maxChars + "): " + body;
            check(input, output, maxMessages, maxChars, context);
        }
    }

    private static void check(List<Message> input, List<String> output, int maxMessages, long maxChars, String context) {
        List<Integer> kept = keptIndexes(input, output, context);
        List<List<Integer>> turns = turns(input);
        if (maxMessages == 0 && maxChars == 0) {
            assertEquals(input.size(), kept.size(), "no budget, nothing trimmed: " + context);
            return;
        }
        for (int i = 0; i < input.size(); i++) {
            if (input.get(i).instruction()) {
                assertTrue(kept.contains(i), "instruction " + i + " kept: " + context);
            }
        }
        int firstKept = turns.size();
        for (int t = 0; t < turns.size(); t++) {
            boolean all = kept.containsAll(turns.get(t));
            boolean none = turns.get(t).stream().noneMatch(kept::contains);
            assertTrue(all || none, "turn " + t + " split: " + context);
            if (all && firstKept == turns.size()) {
                firstKept = t;
            }
            if (t > firstKept) {
                assertTrue(all, "the kept turns are the newest, unbroken: " + context);
            }
        }
        assertTrue(firstKept < turns.size() || turns.isEmpty(), "the newest turn is always kept: " + context);
        long count = 0;
        long chars = 0;
        for (int t = firstKept; t < turns.size(); t++) {
            count += turns.get(t).size();
            chars += turns.get(t).stream().mapToLong(i -> input.get(i).text().length()).sum();
        }
        if (firstKept < turns.size() - 1) {
            assertTrue((maxMessages == 0 || count <= maxMessages) && (maxChars == 0 || chars <= maxChars),
                    "within the budget (" + count + " messages, " + chars + " chars): " + context);
        }
        if (firstKept > 0) {
            List<Integer> older = turns.get(firstKept - 1);
            long olderChars = older.stream().mapToLong(i -> input.get(i).text().length()).sum();
            assertTrue((maxMessages > 0 && count + older.size() > maxMessages) || (maxChars > 0 && chars + olderChars > maxChars),
                    "the next older turn did not fit, so it was right to stop: " + context);
        }
        checkToolPairs(input, kept, context);
    }

    /** The output is the input with some messages left out, each kept one as the caller wrote it (every text is unique). */
    private static List<Integer> keptIndexes(List<Message> input, List<String> output, String context) {
        List<Integer> kept = new ArrayList<>();
        int i = 0;
        for (String text : output) {
            while (i < input.size() && !input.get(i).text().equals(text)) {
                i++;
            }
            if (i == input.size()) {
                fail("a message that is not one of the caller's, in the caller's order and text: " + text + " in " + context);
            }
            kept.add(i++);
        }
        return kept;
    }

    private static void checkToolPairs(List<Message> input, List<Integer> kept, String context) {
        Set<String> keptCalls = new HashSet<>();
        Set<String> keptAnswers = new HashSet<>();
        for (int i : kept) {
            keptCalls.addAll(input.get(i).callIds());
            if (input.get(i).answers() != null) {
                keptAnswers.add(input.get(i).answers());
            }
        }
        assertEquals(keptCalls, keptAnswers, "every kept tool call has its result and every result its call: " + context);
    }

    /** Turns as the README defines them: a tool-calling assistant message with the tool results after it; else one message. */
    private static List<List<Integer>> turns(List<Message> input) {
        List<List<Integer>> turns = new ArrayList<>();
        List<Integer> open = null;
        for (int i = 0; i < input.size(); i++) {
            Message message = input.get(i);
            if (message.instruction()) {
                continue;
            }
            if (open != null && message.role().equals("tool")) {
                open.add(i);
                continue;
            }
            List<Integer> turn = new ArrayList<>(List.of(i));
            turns.add(turn);
            open = message.callIds().isEmpty() ? null : turn;
        }
        return turns;
    }

    private static List<Message> conversation(Random random) {
        List<Message> messages = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            messages.add(plain(random, random.nextBoolean() ? "system" : "developer"));
        }
        int turns = 1 + random.nextInt(9);
        int callNumber = 0;
        for (int t = 0; t < turns; t++) {
            int kind = random.nextInt(10);
            if (kind < 4) {
                messages.add(plain(random, "user"));
            } else if (kind < 7) {
                messages.add(plain(random, "assistant"));
            } else if (kind < 9) {
                List<String> ids = new ArrayList<>();
                for (int c = 1 + random.nextInt(3); c > 0; c--) {
                    ids.add("call_" + callNumber++);
                }
                messages.add(toolCalls(random, ids));
                for (String id : ids) {
                    if (random.nextInt(6) == 0) {
                        messages.add(plain(random, "system")); // a note between results does not end the turn
                    }
                    messages.add(toolResult(random, id));
                }
            } else {
                messages.add(plain(random, random.nextBoolean() ? "system" : "developer"));
            }
        }
        return messages;
    }

    private static Message plain(Random random, String role) {
        return new Message(spaced(random, "{\"role\":\"" + role + "\",\"content\":" + Json.write(words(random)) + "}"),
                role, List.of(), null);
    }

    private static Message toolCalls(Random random, List<String> ids) {
        List<String> calls = new ArrayList<>();
        for (String id : ids) {
            calls.add("{\"id\":\"" + id + "\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":"
                    + Json.write("{\"q\":" + Json.write(words(random)) + "}") + "}}");
        }
        return new Message(spaced(random, "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + String.join(",", calls) + "]}"), "assistant", ids, null);
    }

    private static Message toolResult(Random random, String id) {
        return new Message(spaced(random, "{\"role\":\"tool\",\"tool_call_id\":\"" + id + "\",\"content\":"
                + Json.write(words(random)) + "}"), "tool", List.of(), id);
    }

    /** Text whose last word is a number never used before, so that no two messages are the same text. */
    private static String words(Random random) {
        return someWords(random) + " #" + ++serial;
    }

    private static int serial;

    private static String someWords(Random random) {
        String[] words = {"yes", "Thursday", "appointment", "caf\u00e9", "\"quoted\"", "18C", "ok", "\u2713", "line\nbreak"};
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(12); i >= 0; i--) {
            text.append(words[random.nextInt(words.length)]).append(' ');
        }
        return text.toString().strip();
    }

    /** Some messages get spaces after their colons, and some non-ASCII written as escapes: the caller's text must survive as it is. */
    private static String spaced(Random random, String json) {
        String text = random.nextInt(3) == 0 ? json.replace("\":", "\": ") : json;
        return random.nextInt(4) == 0 ? text.replace("\u00e9", "\\u00e9") : text;
    }

    @Test
    void theTurnsHelperAgreesWithTheRelaysOnAToolConversation() throws Exception {
        JsonNode messages = Json.MAPPER.readTree("[" + RouteTransformThroughServeTest.TOOL_CONVERSATION + "]");
        assertEquals(List.of(List.of(1), List.of(2, 3, 4), List.of(5), List.of(6)), HistoryTrim.turns(messages));
    }
}

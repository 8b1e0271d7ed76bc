package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * The request, context and expected JSON shared by the translation tests: the request
 * {@code {"model":"gpt-4o-mini","input":"hi"}} with request id {@value #SEED}, answered by an
 * upstream that names its model {@value #UPSTREAM_MODEL}.
 */
final class ResponseFixtures {
    static final String SEED = "req1";
    static final String UPSTREAM_MODEL = "gpt-4o-mini-2024-07-18";
    static final long CREATED = 1_700_000_000L;
    static final long COMPLETED = 1_700_000_009L;

    static ResponseContext context() throws Exception {
        byte[] request = "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}".getBytes(StandardCharsets.UTF_8);
        return ResponseContext.of(ResponsesRequest.parse(request), SEED, CREATED);
    }

    static JsonNode tree(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }

    /** A chunk whose only choice has {@code delta}. */
    static String chunk(String delta, String finish) {
        return "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"" + UPSTREAM_MODEL
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finish == null ? "null" : "\"" + finish + "\"") + "}]}";
    }

    static final String USAGE_9_2 = "{\"input_tokens\":9,\"input_tokens_details\":{\"cached_tokens\":0},"
            + "\"output_tokens\":2,\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":11}";

    static String message(String id, String text) {
        return "{\"id\":\"" + id + "\",\"type\":\"message\",\"status\":\"completed\",\"content\":[{\"type\":\"output_text\","
                + "\"annotations\":[],\"logprobs\":[],\"text\":" + Json.write(text) + "}],\"role\":\"assistant\"}";
    }

    /** The Response object for the request {@code {"model":"gpt-4o-mini","input":"hi"}}. */
    static String response(String status, String output, String usage) {
        return "{\"id\":\"resp_req1\",\"object\":\"response\",\"created_at\":" + CREATED + ",\"status\":\"" + status + "\","
                + "\"background\":false," + (status.equals("completed") ? "\"completed_at\":" + COMPLETED + "," : "")
                + "\"error\":null,\"incomplete_details\":null,\"instructions\":null,\"max_output_tokens\":null,"
                + "\"model\":\"" + UPSTREAM_MODEL + "\",\"output\":" + output + ",\"parallel_tool_calls\":true,"
                + "\"previous_response_id\":null,\"reasoning\":null,\"store\":false,\"temperature\":null,"
                + "\"text\":{\"format\":{\"type\":\"text\"}},\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":null,"
                + "\"truncation\":\"disabled\",\"usage\":" + usage + ",\"user\":null,\"metadata\":{}}";
    }
}

package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The checker itself: it accepts the specification's own example and names each rule a broken line breaks. */
class EmfSpecTest {
    /** The valid example from the specification page, on one line. */
    private static final String SPEC_EXAMPLE = "{\"_aws\":{\"Timestamp\":1574109732004,\"CloudWatchMetrics\":[{"
            + "\"Namespace\":\"lambda-function-metrics\",\"Dimensions\":[[\"functionVersion\"]],"
            + "\"Metrics\":[{\"Name\":\"time\",\"Unit\":\"Milliseconds\",\"StorageResolution\":60}]}]},"
            + "\"functionVersion\":\"$LATEST\",\"time\":100,\"requestId\":\"989ffbf8-9ace-4817-a57c-e4dd734019ee\"}";

    @Test
    void theSpecificationsExampleIsValid() {
        assertEquals(List.of(), EmfSpec.violations(SPEC_EXAMPLE));
        assertEquals(List.of(), EmfSpec.violations(SPEC_EXAMPLE.replace("[[\"functionVersion\"]]", "[[]]")),
                "a DimensionSet MAY be empty");
        assertEquals(List.of(), EmfSpec.violations(SPEC_EXAMPLE.replace("\"time\":100", "\"time\":[1,2.5,3]")),
                "a metric target may be an array of numbers");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no _aws                   | "_aws":                     | "aws":                          | no _aws object
            timestamp as string       | 1574109732004               | "1574109732004"                | Timestamp
            fractional timestamp      | 1574109732004               | 1574109732004.5                | Timestamp
            no timestamp              | "Timestamp":1574109732004,  | ''                             | Timestamp
            directives not an array   | "CloudWatchMetrics":[{      | "CloudWatchMetrics":1,"x":[{   | CloudWatchMetrics
            no namespace              | "Namespace":                | "Namespaces":                  | Namespace
            namespace with a newline  | lambda-function-metrics     | lambda\\nmetrics               | Namespace
            extra directive member    | "Dimensions":               | "Extra":1,"Dimensions":        | does not define: Extra
            no dimension sets         | [["functionVersion"]]       | []                             | at least one DimensionSet
            dimension not at root     | "functionVersion":"$LATEST" | "fv":"$LATEST"                 | not a member of the root
            dimension not a string    | "functionVersion":"$LATEST" | "functionVersion":1            | not a string
            dimension value too long  | "functionVersion":"$LATEST" | "functionVersion":"%s"         | dimension value
            dimension value not ASCII | "functionVersion":"$LATEST" | "functionVersion":"caf\u00e9" | dimension value
            unknown unit              | "Milliseconds"              | "Millisecond"                  | Unit
            bad resolution            | "StorageResolution":60      | "StorageResolution":30         | StorageResolution
            metric not at root        | "time":100                  | "tim":100                      | metric time is not a member
            metric a string           | "time":100                  | "time":"100"                   | not a number
            metric array of strings   | "time":100                  | "time":["1"]                   | not a number
            line break                | ,"time":100                 | ,<LF>"time":100                | line break
            trailing data             | 4817-a57c-e4dd734019ee"}    | 4817-a57c-e4dd734019ee"}{}     | not one valid JSON object
            entity member             | "time":100                  | "time":100,"Service":"x"       | entity
            """)
    void eachBrokenRuleIsNamed(String rule, String from, String to, String expected) {
        String replacement = to.replace("<LF>", "\n").replace("%s", "m".repeat(1025));
        String line = SPEC_EXAMPLE.replace(from, replacement);
        assertTrue(!line.equals(SPEC_EXAMPLE), rule + ": the case must change the example");
        List<String> violations = EmfSpec.violations(line);
        assertTrue(violations.stream().anyMatch(v -> v.contains(expected)), rule + ": " + violations);
    }

    @Test
    void moreThan30DimensionsInASetAreNamed() {
        StringBuilder keys = new StringBuilder();
        StringBuilder members = new StringBuilder();
        for (int i = 0; i < 31; i++) {
            keys.append(i == 0 ? "" : ",").append("\"d").append(i).append('"');
            members.append(",\"d").append(i).append("\":\"v\"");
        }
        String line = withMembers(SPEC_EXAMPLE.replace("[[\"functionVersion\"]]", "[[" + keys + "]]"), members);
        assertTrue(EmfSpec.violations(line).stream().anyMatch(v -> v.contains("more than 30")), line);
        String thirty = withMembers(SPEC_EXAMPLE.replace("[[\"functionVersion\"]]",
                "[[" + keys.substring(0, keys.lastIndexOf(",")) + "]]"), members);
        assertEquals(List.of(), EmfSpec.violations(thirty), "30 dimensions are allowed");
    }

    @Test
    void moreThan100MetricsAreNamed() {
        StringBuilder definitions = new StringBuilder();
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 101; i++) {
            definitions.append(i == 0 ? "" : ",").append("{\"Name\":\"m").append(i).append("\"}");
            values.append(",\"m").append(i).append("\":1");
        }
        String line = withMembers(SPEC_EXAMPLE.replace(
                "[{\"Name\":\"time\",\"Unit\":\"Milliseconds\",\"StorageResolution\":60}]", "[" + definitions + "]"),
                values);
        assertTrue(EmfSpec.violations(line).stream().anyMatch(v -> v.contains("more than 100")), line);
    }

    /** The line with {@code members} (",name":value...) added at the end of its root object. */
    private static String withMembers(String line, CharSequence members) {
        return line.substring(0, line.length() - 1) + members + "}";
    }
}

package io.llmrelay.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Writes one request's metrics as one line of CloudWatch Embedded Metric Format: a JSON object
 * whose {@code _aws} member tells CloudWatch Logs which top-level members are metrics and which
 * are dimensions, so the metrics exist without any API call (on Lambda, a line on stdout is
 * enough). Written from the specification:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * <pre>
 * {"_aws":{"Timestamp":&lt;epoch ms&gt;,"CloudWatchMetrics":[{"Namespace":"LLMRelay",
 *   "Dimensions":[[],["Route","Model"],["Route","Model","Caller"]],
 *   "Metrics":[{"Name":"Requests","Unit":"Count"},...]}]},
 *  "log":"metrics","requestId":"...","Route":"openai","Model":"gpt-4o-mini","Caller":"vapi",
 *  "Status":200,"Requests":1,"TimeToFirstByte":212.4,"Duration":1830.2,...}
 * </pre>
 *
 * <p>Members that are neither metric nor dimension are properties: {@code log} (always
 * {@code metrics}, to tell these lines from the request log's), {@code requestId}, {@code Status}
 * and, on a request that ended in an error, {@code ErrorCode} (see {@link ErrorCodes}). Every
 * string on the line is bounded (see {@link DimensionValues}); the line is a few hundred bytes
 * whatever the caller sent. Call {@link #write} once per request, after its response ended, so
 * that nothing here adds to what the caller waits for.
 */
public final class EmfWriter {
    private static final JsonFactory JSON = Json.MAPPER.getFactory();
    /** Lambda's and serve's request ids are UUIDs; anything else is left off rather than echoed. */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final MetricsSettings settings;
    private final LongSupplier epochMillis;

    public EmfWriter(MetricsSettings settings) {
        this(settings, System::currentTimeMillis);
    }

    /** @param epochMillis the clock for {@code _aws.Timestamp} */
    public EmfWriter(MetricsSettings settings, LongSupplier epochMillis) {
        this.settings = settings;
        this.epochMillis = epochMillis;
    }

    public boolean enabled() {
        return settings.enabled();
    }

    /** Prints the request's line on {@code out} (one {@code println}), or nothing when metrics are off. */
    public void write(PrintStream out, RequestOutcome outcome, DimensionValues dimensions) {
        if (settings.enabled()) {
            out.println(line(outcome, dimensions));
        }
    }

    /** The line, without its line break. */
    public String line(RequestOutcome outcome, DimensionValues dimensions) {
        Map<RelayMetric, Number> values = MetricValues.of(outcome);
        StringWriter text = new StringWriter(640);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            json.writeStartObject();
            writeDirective(json, values);
            json.writeStringField("log", "metrics");
            if (outcome.requestId() != null && REQUEST_ID.matcher(outcome.requestId()).matches()) {
                json.writeStringField("requestId", outcome.requestId());
            }
            json.writeStringField(MetricDimensions.ROUTE, dimensions.route(outcome.route()));
            json.writeStringField(MetricDimensions.MODEL, dimensions.model(outcome.model()));
            json.writeStringField(MetricDimensions.CALLER, dimensions.caller(outcome.caller()));
            json.writeNumberField("Status", outcome.status());
            if (outcome.errorCode() != null || outcome.failed()) {
                json.writeStringField("ErrorCode", ErrorCodes.property(outcome.errorCode(), outcome.status()));
            }
            for (Map.Entry<RelayMetric, Number> value : values.entrySet()) {
                writeNumber(json, value.getKey().metricName(), value.getValue());
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("a StringWriter does not fail", e);
        }
        return text.toString();
    }

    /** {@code "_aws":{Timestamp, CloudWatchMetrics:[one directive naming exactly the metrics present]}}. */
    private void writeDirective(JsonGenerator json, Map<RelayMetric, Number> values) throws IOException {
        json.writeObjectFieldStart("_aws");
        json.writeNumberField("Timestamp", epochMillis.getAsLong());
        json.writeArrayFieldStart("CloudWatchMetrics");
        json.writeStartObject();
        json.writeStringField("Namespace", settings.namespace());
        json.writeArrayFieldStart("Dimensions");
        for (List<String> set : MetricDimensions.SETS) {
            json.writeStartArray();
            for (String dimension : set) {
                json.writeString(dimension);
            }
            json.writeEndArray();
        }
        json.writeEndArray();
        json.writeArrayFieldStart("Metrics");
        for (RelayMetric metric : values.keySet()) {
            json.writeStartObject();
            json.writeStringField("Name", metric.metricName());
            json.writeStringField("Unit", metric.unit());
            json.writeEndObject();
        }
        json.writeEndArray();
        json.writeEndObject();
        json.writeEndArray();
        json.writeEndObject();
    }

    private static void writeNumber(JsonGenerator json, String name, Number value) throws IOException {
        if (value instanceof Double ms) {
            json.writeNumberField(name, ms);
        } else {
            json.writeNumberField(name, value.longValue());
        }
    }
}

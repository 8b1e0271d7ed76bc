package io.llmrelay.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Bedrock ConverseStream answers in {@code application/vnd.amazon.eventstream} framing, encoded here
 * from the format's description (https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html,
 * https://smithy.io/2.0/aws/amazon-eventstream.html) and independently of the decoder the relay uses:
 * prelude (total length, headers length, CRC32 of those 8 bytes), headers (name length, name, type,
 * value), payload, CRC32 of everything before it; all integers big-endian.
 */
public final class BedrockFrames {
    public static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";

    private BedrockFrames() {}

    /** A header value of one of the ten wire types (0 true ... 9 uuid). */
    public record Value(int type, byte[] bytes) {
        public static Value string(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            return new Value(7, concat(short2(utf8.length), utf8));
        }
    }

    public static byte[] event(String eventType, String json) {
        Map<String, Value> headers = new LinkedHashMap<>();
        headers.put(":event-type", Value.string(eventType));
        headers.put(":content-type", Value.string("application/json"));
        headers.put(":message-type", Value.string("event"));
        return frame(headers, json.getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] exception(String exceptionType, String message) {
        Map<String, Value> headers = new LinkedHashMap<>();
        headers.put(":exception-type", Value.string(exceptionType));
        headers.put(":content-type", Value.string("application/json"));
        headers.put(":message-type", Value.string("exception"));
        return frame(headers, ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    public static byte[] frame(Map<String, Value> headers, byte[] payload) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        headers.forEach((name, value) -> {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            head.write(utf8.length);
            head.writeBytes(utf8);
            head.write(value.type());
            head.writeBytes(value.bytes());
        });
        byte[] headerBytes = head.toByteArray();
        int total = 12 + headerBytes.length + payload.length + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(int4(total));
        out.writeBytes(int4(headerBytes.length));
        out.writeBytes(int4((int) crc(out.toByteArray())));
        out.writeBytes(headerBytes);
        out.writeBytes(payload);
        out.writeBytes(int4((int) crc(out.toByteArray())));
        return out.toByteArray();
    }

    public static byte[] messageStart() {
        return event("messageStart", "{\"p\":\"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLM\",\"role\":\"assistant\"}");
    }

    public static byte[] text(int index, String text) {
        return event("contentBlockDelta", "{\"contentBlockIndex\":" + index + ",\"delta\":{\"text\":"
                + io.llmrelay.json.Json.write(text) + "},\"p\":\"abcd\"}");
    }

    public static byte[] toolStart(int index, String id, String name) {
        return event("contentBlockStart", "{\"contentBlockIndex\":" + index + ",\"start\":{\"toolUse\":{\"toolUseId\":\""
                + id + "\",\"name\":\"" + name + "\"}},\"p\":\"abcdefgh\"}");
    }

    public static byte[] toolInput(int index, String input) {
        return event("contentBlockDelta", "{\"contentBlockIndex\":" + index + ",\"delta\":{\"toolUse\":{\"input\":"
                + io.llmrelay.json.Json.write(input) + "}},\"p\":\"ab\"}");
    }

    public static byte[] blockStop(int index) {
        return event("contentBlockStop", "{\"contentBlockIndex\":" + index + ",\"p\":\"abcdefghijklmn\"}");
    }

    public static byte[] messageStop(String stopReason) {
        return event("messageStop", "{\"p\":\"abcdefghijkl\",\"stopReason\":\"" + stopReason + "\"}");
    }

    public static byte[] metadata(int inputTokens, int outputTokens) {
        return event("metadata", "{\"metrics\":{\"latencyMs\":412},\"p\":\"abc\",\"usage\":{\"inputTokens\":"
                + inputTokens + ",\"outputTokens\":" + outputTokens + ",\"totalTokens\":" + (inputTokens + outputTokens) + "}}");
    }

    /** One text answer: messageStart, the pieces, contentBlockStop, messageStop, metadata. */
    public static byte[] textAnswer(String stopReason, int inputTokens, int outputTokens, String... pieces) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(messageStart());
        for (String piece : pieces) {
            out.writeBytes(text(0, piece));
        }
        out.writeBytes(blockStop(0));
        out.writeBytes(messageStop(stopReason));
        out.writeBytes(metadata(inputTokens, outputTokens));
        return out.toByteArray();
    }

    /** The frames one after another: a body as Bedrock streams it. */
    public static byte[] concat(byte[]... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] frame : frames) {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    /** A copy of {@code frame} with one payload byte changed: the message CRC no longer matches. */
    public static byte[] corrupt(byte[] frame) {
        byte[] copy = frame.clone();
        copy[copy.length - 6] ^= 0x20;
        return copy;
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    static byte[] int4(int value) {
        return new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    }

    static byte[] short2(int value) {
        return new byte[] {(byte) (value >>> 8), (byte) value};
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

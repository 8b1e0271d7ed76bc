package io.llmrelay.bench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Amazon event-stream frames ({@code application/vnd.amazon.eventstream}) as Bedrock's
 * ConverseStream sends them, encoded from the format's description
 * (https://smithy.io/2.0/aws/amazon-eventstream.html,
 * https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html) and independently of the
 * relay's decoder: prelude (total length, headers length, CRC32 of those 8 bytes), headers (name
 * length, name, type 7 = string with a 2-byte length, value), payload, CRC32 of everything before
 * it; integers big-endian.
 */
public final class EventStreamFrames {
    private EventStreamFrames() {}

    /** An event frame: {@code :event-type}, {@code :content-type: application/json}, {@code :message-type: event}. */
    public static byte[] event(String eventType, String json) {
        ByteArrayOutputStream headers = new ByteArrayOutputStream();
        header(headers, ":event-type", eventType);
        header(headers, ":content-type", "application/json");
        header(headers, ":message-type", "event");
        byte[] payload = json.getBytes(StandardCharsets.UTF_8);
        int total = 12 + headers.size() + payload.length + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream(total);
        int4(out, total);
        int4(out, headers.size());
        int4(out, (int) crc(out.toByteArray()));
        out.writeBytes(headers.toByteArray());
        out.writeBytes(payload);
        int4(out, (int) crc(out.toByteArray()));
        return out.toByteArray();
    }

    /** The total length a frame's prelude announces, from its first four bytes. */
    static int totalLength(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 24 | (bytes[offset + 1] & 0xff) << 16 | (bytes[offset + 2] & 0xff) << 8
                | (bytes[offset + 3] & 0xff);
    }

    private static void header(ByteArrayOutputStream out, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        out.write(n.length);
        out.writeBytes(n);
        out.write(7);
        out.write(v.length >>> 8);
        out.write(v.length);
        out.writeBytes(v);
    }

    private static void int4(ByteArrayOutputStream out, int value) {
        out.write(value >>> 24);
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}

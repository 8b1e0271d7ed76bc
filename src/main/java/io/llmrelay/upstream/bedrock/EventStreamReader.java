package io.llmrelay.upstream.bedrock;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.zip.CRC32;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;

/**
 * Reads {@code application/vnd.amazon.eventstream} messages one at a time from a blocking stream
 * (format: https://smithy.io/2.0/aws/amazon-eventstream.html and
 * https://docs.aws.amazon.com/lexv2/latest/dg/event-stream-encoding.html): a 12-byte prelude
 * (total length, headers length, prelude CRC32), the headers, the payload, and a CRC32 of all
 * that. Both checksums are checked; a stream that fails either is ended, as the format requires.
 *
 * <p>Decoding is {@code software.amazon.eventstream:eventstream}'s {@link Message#decode}, which
 * checks the prelude CRC, the headers and payload limits (128 KiB, 24 MiB) and the message CRC and
 * types every header value. Its push decoder ({@code MessageDecoder}) is not used: it wants bytes
 * fed to it, allocates a 2 MiB buffer per stream and may hand out several messages per feed, where
 * the relay pulls one message per read to translate each the moment it is complete. So this class
 * reads exactly one frame's bytes (the length from the prelude, whose CRC is checked first, so a
 * corrupt length never makes it wait for or allocate bytes that are not coming) and decodes them.
 */
public final class EventStreamReader {
    private static final int PRELUDE = 12;
    private static final int OVERHEAD = 16;
    private static final int MAX_MESSAGE = OVERHEAD + 128 * 1024 + 24 * 1024 * 1024;

    private final InputStream in;

    public EventStreamReader(InputStream in) {
        this.in = in;
    }

    /**
     * The next message; null when the stream ended cleanly between two messages.
     *
     * @throws EOFException          the stream ended inside a message (cut short)
     * @throws InvalidFrameException the bytes are not a valid message
     */
    public EventStreamMessage next() throws IOException, InvalidFrameException {
        byte[] prelude = in.readNBytes(PRELUDE);
        if (prelude.length == 0) {
            return null;
        }
        if (prelude.length < PRELUDE) {
            throw new EOFException("the event stream ended inside a message prelude");
        }
        ByteBuffer head = ByteBuffer.wrap(prelude);
        long total = Integer.toUnsignedLong(head.getInt(0));
        CRC32 crc = new CRC32();
        crc.update(prelude, 0, 8);
        if (crc.getValue() != Integer.toUnsignedLong(head.getInt(8))) {
            throw new InvalidFrameException("an event-stream message whose prelude checksum does not match");
        }
        if (total < OVERHEAD || total > MAX_MESSAGE) {
            throw new InvalidFrameException("an event-stream message of impossible length " + total);
        }
        byte[] frame = new byte[(int) total];
        System.arraycopy(prelude, 0, frame, 0, PRELUDE);
        int read = in.readNBytes(frame, PRELUDE, frame.length - PRELUDE);
        if (read < frame.length - PRELUDE) {
            throw new EOFException("the event stream ended inside a message");
        }
        Message message;
        try {
            message = Message.decode(ByteBuffer.wrap(frame));
        } catch (RuntimeException e) { // IllegalArgumentException for checksums and headers, buffer errors for lengths
            throw new InvalidFrameException("an event-stream message that does not decode (" + e.getMessage() + ")");
        }
        return classify(message.getHeaders(), message.getPayload());
    }

    private static EventStreamMessage classify(Map<String, HeaderValue> headers, byte[] payload)
            throws InvalidFrameException {
        String type = string(headers, ":message-type");
        return switch (type == null ? "" : type) {
            case "event" -> new EventStreamMessage(EventStreamMessage.Kind.EVENT, required(headers, ":event-type"), payload, null);
            case "exception" -> new EventStreamMessage(EventStreamMessage.Kind.EXCEPTION,
                    required(headers, ":exception-type"), payload, null);
            case "error" -> new EventStreamMessage(EventStreamMessage.Kind.ERROR, required(headers, ":error-code"),
                    payload, string(headers, ":error-message"));
            default -> throw new InvalidFrameException("an event-stream message of unknown :message-type");
        };
    }

    private static String required(Map<String, HeaderValue> headers, String name) throws InvalidFrameException {
        String value = string(headers, name);
        if (value == null || value.isEmpty()) {
            throw new InvalidFrameException("an event-stream message without " + name);
        }
        return value;
    }

    private static String string(Map<String, HeaderValue> headers, String name) throws InvalidFrameException {
        HeaderValue value = headers.get(name);
        if (value == null) {
            return null;
        }
        try {
            return value.getString(); // the library's typed values refuse to be read as another type
        } catch (RuntimeException e) {
            throw new InvalidFrameException("an event-stream message whose " + name + " is not a string");
        }
    }
}

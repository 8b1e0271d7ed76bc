package io.llmrelay.trace;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * The trace a relayed request's upstream calls belong to, chosen in this order:
 *
 * <pre>
 * the caller sent                        trace-id            parent-id             sampled
 * a valid traceparent                    the caller's        new (the relay's)     the caller's flag
 * none, and Lambda's X-Ray header has    its root            its Parent, else new  Sampled=1
 *   a valid root
 * neither                                new                 new                   no
 * </pre>
 *
 * Continuing the caller's trace is what the W3C processing model asks of a participant that
 * received a {@code traceparent} (https://www.w3.org/TR/trace-context/#processing-model, "A
 * traceparent is Received": keep the trace-id, set the parent-id to the current operation's),
 * and it is what joins a platform's call log to the relay's line and to the provider's. Under
 * X-Ray, the function's segment id as the parent puts the upstream call under the function in the
 * X-Ray trace. A trace the relay starts itself is not
 * sampled ("It should be set to 0 as the default option when the trace is initiated by this
 * component").
 *
 * <p>New ids come from one {@link SecureRandom}, made on first use: on Linux its default
 * algorithm (NativePRNG) mixes fresh bytes from {@code /dev/urandom} into every call, so ids stay
 * unique across execution environments restored from one SnapStart snapshot, whose page asks for
 * exactly that (https://docs.aws.amazon.com/lambda/latest/dg/snapstart-uniqueness.html).
 */
public final class Traces {
    private static final HexFormat HEX = HexFormat.of();

    private Traces() {}

    private static final class Random {
        static final SecureRandom SOURCE = new SecureRandom();
    }

    /**
     * @param callerTraceparent the caller's {@code traceparent} header, or null
     * @param lambdaTraceHeader the invocation's X-Ray tracing header, or null
     */
    public static TraceContext forRequest(String callerTraceparent, String lambdaTraceHeader) {
        return forRequest(callerTraceparent, lambdaTraceHeader, Random.SOURCE::nextBytes);
    }

    /** As {@link #forRequest(String, String)}, with the random bytes from {@code random} (tests pin them). */
    static TraceContext forRequest(String callerTraceparent, String lambdaTraceHeader, Consumer<byte[]> random) {
        var caller = TraceParent.parse(callerTraceparent);
        if (caller.isPresent()) {
            return new TraceContext(caller.get().traceId(), newId(8, random), caller.get().sampled());
        }
        var xray = XRayTraceHeader.parse(lambdaTraceHeader);
        if (xray.isPresent()) {
            String parent = xray.get().parentId();
            return new TraceContext(xray.get().traceId(), parent != null ? parent : newId(8, random), xray.get().sampled());
        }
        return new TraceContext(newId(16, random), newId(8, random), false);
    }

    /** {@code bytes} random bytes as lowercase hex, never all zero (an invalid id). */
    private static String newId(int bytes, Consumer<byte[]> random) {
        byte[] id = new byte[bytes];
        String hex;
        do {
            random.accept(id);
            hex = HEX.formatHex(id);
        } while (hex.chars().allMatch(c -> c == '0'));
        return hex;
    }
}

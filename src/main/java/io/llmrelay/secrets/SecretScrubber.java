package io.llmrelay.secrets;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Replaces keys with {@value KnownSecrets#REDACTED} in what a caller or a log reader gets, in
 * every form a JSON decoder turns back into the key: as it is, or with any of its chars written
 * as a JSON escape ({@code \/}, {@code \u002B}, {@code \u00e9} or {@code \u00E9}, a surrogate
 * pair as two escapes), raw UTF-8 for chars beyond ASCII. A key with a backslash in it is also
 * looked for as it is, undecoded.
 *
 * <p>One pass over the input, linear whatever it holds ({@link KeyAutomaton}); an input without a
 * key comes back as the same array or string, and for valid UTF-8 without a backslash (most
 * chunks) the scan allocates nothing ({@link ByteScan}). The masked forms providers print ({@link MaskedKeys}) are only looked
 * for in an upstream's error text, never in an answer.
 *
 * <p>Limits: each input is scanned on its own, so a key split across two SSE events (one token
 * each) is not found, and a key escaped twice (JSON inside a JSON string, such as tool-call
 * arguments) is found only where its chars needed no escape at the inner level.
 *
 * <p>Immutable and thread-safe.
 */
public final class SecretScrubber {
    /** No keys: leaves answers as they are, still finds masked keys in upstream error text. */
    public static final SecretScrubber NONE = new SecretScrubber(List.of());
    private static final BooleanSupplier NO_DEADLINE = () -> false;
    /** The scrubber made last: requests to the same routes reuse it instead of building an automaton each. */
    private static volatile SecretScrubber recent = NONE;

    private final List<String> keys;
    private final KeyAutomaton automaton;
    /** Some key has a backslash, so its raw form is not what decoding finds: scan undecoded too. */
    private final boolean undecodedToo;

    private SecretScrubber(List<String> keys) {
        this.keys = keys;
        this.automaton = KeyAutomaton.of(keys);
        this.undecodedToo = keys.stream().anyMatch(key -> key.indexOf('\\') >= 0);
    }

    /** A scrubber for {@code keys} (null and empty ones ignored). */
    public static SecretScrubber of(Collection<String> keys) {
        List<String> list = distinct(keys);
        SecretScrubber last = recent;
        if (last.keys.equals(list)) {
            return last;
        }
        SecretScrubber made = new SecretScrubber(list);
        recent = made;
        return made;
    }

    /** As {@link #of}, leaving the per-request reuse alone (for a set that changes rarely and is kept by its owner). */
    static SecretScrubber uncached(Collection<String> keys) {
        return new SecretScrubber(distinct(keys));
    }

    private static List<String> distinct(Collection<String> keys) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String key : keys) {
            if (key != null && !key.isEmpty()) {
                distinct.add(key);
            }
        }
        return List.copyOf(distinct);
    }

    /** {@code raw} without the keys; the same array when none is in it. */
    public byte[] scrub(byte[] raw) {
        try {
            return apply(raw, false, NO_DEADLINE);
        } catch (ScrubTimeoutException e) {
            throw cannotHappen(e);
        }
    }

    /**
     * As {@link #scrub(byte[])}, giving up when {@code outOfTime} says so; it is asked once per
     * {@value CharFeed#CHECK_EVERY} bytes scanned, so never for a smaller input.
     */
    public byte[] scrub(byte[] raw, BooleanSupplier outOfTime) throws ScrubTimeoutException {
        return apply(raw, false, outOfTime);
    }

    /** An upstream's error body: without the keys and without masked keys. */
    public byte[] scrubUpstreamError(byte[] raw, BooleanSupplier outOfTime) throws ScrubTimeoutException {
        return apply(raw, true, outOfTime);
    }

    /** {@code text} without the keys, also where it quotes them JSON-escaped; the same string when none is in it. */
    public String scrub(String text) {
        try {
            return apply(text, false, NO_DEADLINE);
        } catch (ScrubTimeoutException e) {
            throw cannotHappen(e);
        }
    }

    /** An upstream's error text (or text that may quote one): without the keys and without masked keys. */
    public String scrubUpstreamError(String text) {
        try {
            return apply(text, true, NO_DEADLINE);
        } catch (ScrubTimeoutException e) {
            throw cannotHappen(e);
        }
    }

    /** As {@link #scrubUpstreamError(String)}, giving up when {@code outOfTime} says so (see {@link #scrub(byte[], BooleanSupplier)}). */
    public String scrubUpstreamError(String text, BooleanSupplier outOfTime) throws ScrubTimeoutException {
        return apply(text, true, outOfTime);
    }

    private byte[] apply(byte[] raw, boolean masked, BooleanSupplier outOfTime) throws ScrubTimeoutException {
        if (raw == null) {
            return null;
        }
        Redactions found = ByteScan.scan(raw, automaton, true, masked, outOfTime);
        if (undecodedToo) {
            found = Redactions.both(found, ByteScan.scan(raw, automaton, false, false, outOfTime));
        }
        return found == null ? raw : found.apply(raw);
    }

    private String apply(String text, boolean masked, BooleanSupplier outOfTime) throws ScrubTimeoutException {
        if (text == null) {
            return null;
        }
        Redactions found = TextScan.scan(text, automaton, true, masked, outOfTime);
        if (undecodedToo) {
            found = Redactions.both(found, TextScan.scan(text, automaton, false, false, outOfTime));
        }
        return found == null ? text : found.apply(text);
    }

    /** Without a deadline nothing gives up: this exception is a bug. */
    private static IllegalStateException cannotHappen(ScrubTimeoutException e) {
        return new IllegalStateException("a scrub without a deadline gave up", e);
    }
}

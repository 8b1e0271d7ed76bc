package io.llmrelay.secrets;

/**
 * Finds keys as providers print them masked, e.g. OpenAI's 401 "Incorrect API key provided:
 * sk-proj-abc1*****************wxyz": a run of three or more {@code *} with the key characters
 * ({@code [A-Za-z0-9_-]}) on either side. It finds what the regular expression
 * {@code [A-Za-z0-9_\-]*\*{3,}[A-Za-z0-9_\-]*} replaces, in one pass over the chars with
 * constant work each: the expression itself backtracks over every run of key characters
 * without stars, which is quadratic in its length.
 *
 * <p>Only for an upstream's error text: model output with {@code ***} in it is not a key. One
 * instance per scan; fed the chars in order, each with the input range it came from.
 */
final class MaskedKeys {
    private static final int MIN_STARS = 3;

    /** Start of the run of key characters just read, or -1 after anything else. */
    private int keyRunStart = -1;
    /** Where a masked key would start if the stars just read reach {@link #MIN_STARS}. */
    private int starsLeftEdge;
    private int stars;
    /** The span found so far, open while key characters or long star runs keep extending it. */
    private boolean open;
    private int spanStart;
    private int spanEnd;

    /** Reads one char that came from {@code [start, end)} of the input. */
    Redactions feed(char c, int start, int end, Redactions found) {
        if (c == '*') {
            if (stars == 0) {
                starsLeftEdge = keyRunStart >= 0 ? keyRunStart : start;
            }
            stars++;
            keyRunStart = -1;
            if (stars >= MIN_STARS) {
                if (!open) {
                    open = true;
                    spanStart = starsLeftEdge;
                }
                spanEnd = end;
            }
            return found;
        }
        if (isKeyChar(c)) {
            if (open && stars > 0 && stars < MIN_STARS) {
                found = close(found); // too few stars to go on: the span ended before them
            }
            if (keyRunStart < 0) {
                keyRunStart = start;
            }
            stars = 0;
            if (open) {
                spanEnd = end;
            }
            return found;
        }
        keyRunStart = -1;
        stars = 0;
        return open ? close(found) : found;
    }

    /** Closes the span still open at the end of the input. */
    Redactions finish(Redactions found) {
        return open ? close(found) : found;
    }

    private Redactions close(Redactions found) {
        open = false;
        return Redactions.add(found, spanStart, spanEnd);
    }

    static boolean isKeyChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}

package io.llmrelay.config;

/**
 * Names and {@code *} globs, as routes list models and callers list routes: {@code *} matches any
 * run of characters (including none), every other character only itself. Written by hand so that
 * names are never compiled as regular expressions.
 */
public final class Globs {
    private Globs() {}

    public static boolean isGlob(String pattern) {
        return pattern.indexOf('*') >= 0;
    }

    /** An exact name matches itself only; a glob as above. */
    public static boolean matches(String pattern, String text) {
        int p = 0;
        int t = 0;
        int star = -1; // position in pattern after the last '*' seen
        int resume = 0; // position in text where that '*' would next extend its match
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = ++p;
                resume = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                // Let the last '*' swallow one more character and retry. Only the last '*' is ever
                // retried, so the cost stays O(pattern x text) whatever the pattern.
                p = star;
                t = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}

package io.llmrelay.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Writes text as the inside of a JSON string in every way RFC 8259 (section 7,
 * https://www.rfc-editor.org/rfc/rfc8259#section-7) allows a producer to: each char as it is
 * (where that is allowed), as a two-char escape ({@code \/ \" \\ \b \f \n \r \t}), or as
 * {@code \}{@code uXXXX} with lower, upper or mixed case hex digits; a char beyond U+FFFF as
 * itself (four UTF-8 bytes) or as a surrogate pair of two escapes. Built from the RFC, not from
 * the scrubber, so that tests can quote a key the way some upstream might.
 */
public final class JsonEscapeForms {
    /** How one char is written. */
    public enum Form { RAW, SHORT, LOWER_HEX, UPPER_HEX, MIXED_HEX }

    private JsonEscapeForms() {}

    /** {@code text} with every code point written in a form chosen at random among those it allows. */
    public static String random(String text, Random random) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> {
            List<Form> forms = formsOf(cp);
            out.append(write(cp, forms.get(random.nextInt(forms.size())), random));
        });
        return out.toString();
    }

    /** {@code text} with every code point in {@code form} where it allows it, else in the first form it allows. */
    public static String all(String text, Form form, Random random) {
        StringBuilder out = new StringBuilder();
        text.codePoints().forEach(cp -> out.append(write(cp, formsOf(cp).contains(form) ? form : formsOf(cp).get(0), random)));
        return out.toString();
    }

    /** The forms {@code cp} may be written in inside a JSON string. */
    public static List<Form> formsOf(int cp) {
        List<Form> forms = new ArrayList<>();
        if (cp >= 0x20 && cp != '"' && cp != '\\') {
            forms.add(Form.RAW);
        }
        if (shortEscape(cp) != 0) {
            forms.add(Form.SHORT);
        }
        forms.add(Form.LOWER_HEX);
        forms.add(Form.UPPER_HEX);
        forms.add(Form.MIXED_HEX);
        return forms;
    }

    private static String write(int cp, Form form, Random random) {
        return switch (form) {
            case RAW -> new String(Character.toChars(cp));
            case SHORT -> "\\" + shortEscape(cp);
            case LOWER_HEX, UPPER_HEX, MIXED_HEX -> {
                StringBuilder out = new StringBuilder();
                for (char unit : Character.toChars(cp)) {
                    out.append("\\u").append(hex(unit, form, random));
                }
                yield out.toString();
            }
        };
    }

    private static String hex(char unit, Form form, Random random) {
        String lower = String.format(Locale.ROOT, "%04x", (int) unit);
        if (form == Form.LOWER_HEX) {
            return lower;
        }
        if (form == Form.UPPER_HEX) {
            return lower.toUpperCase(Locale.ROOT);
        }
        StringBuilder mixed = new StringBuilder();
        for (char digit : lower.toCharArray()) {
            mixed.append(random.nextBoolean() ? Character.toUpperCase(digit) : digit);
        }
        return mixed.toString();
    }

    private static char shortEscape(int cp) {
        return switch (cp) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '/' -> '/';
            case '\b' -> 'b';
            case '\f' -> 'f';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> 0;
        };
    }
}

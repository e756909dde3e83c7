package dev.tern.smtp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The xtext encoding of ESMTP parameter values (RFC 3461 4): printable US-ASCII stands for itself,
 * except {@code +} and {@code =}; any other octet is {@code +} and two upper-case hex digits.
 */
public final class Xtext {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Xtext() {}

    /** True when {@code text} is well-formed xtext (possibly empty). */
    public static boolean isValid(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                // hexchar = "+" 2(%x30-39 / %x41-46): upper-case only
                if (i + 2 >= text.length()) {
                    return false;
                }
                if (hexValue(text.charAt(i + 1)) < 0 || hexValue(text.charAt(i + 2)) < 0) {
                    return false;
                }
                i += 2;
            } else if (!isXchar(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes xtext; the octets are read as UTF-8 (RFC 6533 carries UTF-8 addresses this way).
     *
     * @throws IllegalArgumentException when the text is not valid xtext
     */
    public static String decode(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException("not xtext");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                out.write(hexValue(text.charAt(i + 1)) << 4 | hexValue(text.charAt(i + 2)));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * True when {@code text} is well-formed xtext whose decoded value holds no control character
     * (C0, DEL, C1) and is well-formed UTF-8. Decoded values end up in delivery status notifications,
     * trace fields and logs, where an encoded CR or LF would start a new line (RFC 3461 4.2, 4.4 ask
     * for printable characters).
     */
    public static boolean isPrintable(String text) {
        if (!isValid(text)) {
            return false;
        }
        String decoded = decode(text);
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            // U+FFFD stands for octets that were not UTF-8.
            if (Character.isISOControl(c) || c == '\uFFFD') {
                return false;
            }
        }
        return true;
    }

    /**
     * True when {@code text} is a printable utf-8-addr-xtext (RFC 6533 3), ORCPT's form for the {@code utf-8}
     * address type: printable xtext as {@link #isPrintable}, whose {@code \x{HEX}} escapes each name a code
     * point of 1 to 6 hex digits that is neither a control character (C0, DEL, C1), nor a surrogate, nor past
     * U+10FFFF; a backslash starts nothing else. The next hop decodes the escapes, so an escaped CR or LF would
     * start a new line in its reports as an xtext one would in ours.
     */
    public static boolean isPrintableUtf8Address(String text) {
        if (!isPrintable(text)) {
            return false;
        }
        String decoded = decode(text);
        for (int i = 0; i < decoded.length(); i++) {
            if (decoded.charAt(i) != '\\') {
                continue;
            }
            int close = decoded.indexOf('}', i);
            if (close < 0 || !decoded.startsWith("x{", i + 1) || close - (i + 3) < 1 || close - (i + 3) > 6) {
                return false;
            }
            int codePoint = 0;
            for (int j = i + 3; j < close; j++) {
                int digit = Character.digit(decoded.charAt(j), 16);
                if (digit < 0) {
                    return false;
                }
                codePoint = codePoint * 16 + digit;
            }
            if (codePoint > Character.MAX_CODE_POINT
                    || Character.isISOControl(codePoint)
                    || (codePoint >= Character.MIN_SURROGATE && codePoint <= Character.MAX_SURROGATE)) {
                return false;
            }
            i = close;
        }
        return true;
    }

    /**
     * A {@code utf-8} type ORCPT value ({@code utf-8;} and an address) with every non-ASCII character of its
     * address written as {@code \x{HEX}}: a utf-8-addr-unitext (RFC 6533 3), the form a client may send in a
     * transaction with SMTPUTF8, made the utf-8-addr-xtext that every next hop and report takes. Any other value
     * is returned as it is, as is a value that is all ASCII; what comes out is checked as xtext after (a control
     * character, C1 included, is refused there as its escape).
     */
    public static String escapeUtf8Unitext(String value) {
        if (!value.regionMatches(true, 0, "utf-8;", 0, 6) || value.chars().allMatch(c -> c < 0x80)) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length() + 16).append(value, 0, 6);
        value.substring(6).codePoints().forEach(cp -> {
            if (cp < 0x80) {
                sb.append((char) cp);
            } else {
                sb.append("\\x{")
                        .append(Integer.toHexString(cp).toUpperCase(Locale.ROOT))
                        .append('}');
            }
        });
        return sb.toString();
    }

    /** Encodes text as xtext; non-ASCII is written as its UTF-8 octets. */
    public static String encode(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int octet = b & 0xff;
            if (isXchar((char) octet)) {
                sb.append((char) octet);
            } else {
                sb.append('+').append(HEX[octet >> 4]).append(HEX[octet & 0xf]);
            }
        }
        return sb.toString();
    }

    /**
     * Encodes an internationalized address as utf-8-addr-xtext (RFC 6533 3): printable US-ASCII other than
     * {@code +}, {@code =} and {@code \} stands for itself, every other character is {@code \x{HEX}}, its
     * code point in upper-case hex. The result is also valid xtext.
     */
    public static String encodeUtf8Address(String address) {
        StringBuilder sb = new StringBuilder(address.length() + 16);
        address.codePoints().forEach(cp -> {
            if (cp < 0x80 && isXchar((char) cp) && cp != '\\') {
                sb.append((char) cp);
            } else {
                String hex = Integer.toHexString(cp).toUpperCase(Locale.ROOT);
                sb.append("\\x{").append(hex.length() < 2 ? "0" + hex : hex).append('}');
            }
        });
        return sb.toString();
    }

    /** xchar: "!" (33) to "~" (126) except "+" and "=". */
    private static boolean isXchar(char c) {
        return c >= 33 && c <= 126 && c != '+' && c != '=';
    }

    private static int hexValue(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}

package dev.tern.smtp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Splits the ESMTP parameters that follow a path into keyword/value pairs (RFC 5321 4.1.2):
 * {@code esmtp-keyword ["=" esmtp-value]}, separated by spaces. Keywords are kept in capitals
 * ({@link SmtpText#asciiUpperCase}); a keyword without value maps to {@code null}.
 */
final class EsmtpParameters {
    private EsmtpParameters() {}

    /** The parameters of {@code text} from {@code start} on, in order, or the reply that rejects them. */
    static ParseResult<Map<String, String>> parse(String text, int start) {
        Map<String, String> parameters = new LinkedHashMap<>();
        int pos = start;
        while (pos < text.length()) {
            // RFC 5321 separates parameters with one SP; clients that send more are tolerated.
            if (text.charAt(pos) == ' ') {
                pos++;
                continue;
            }
            int end = text.indexOf(' ', pos);
            if (end < 0) {
                end = text.length();
            }
            String token = text.substring(pos, end);
            pos = end;
            int eq = token.indexOf('=');
            String rawKeyword = eq < 0 ? token : token.substring(0, eq);
            if (!isKeyword(rawKeyword)) {
                return ParseResult.rejected(SmtpReplies.SYNTAX_ERROR.withText("Bad parameter syntax"));
            }
            String keyword = SmtpText.asciiUpperCase(rawKeyword);
            String value = eq < 0 ? null : token.substring(eq + 1);
            if (value != null && !isValue(value)) {
                return ParseResult.rejected(badValue(keyword));
            }
            if (parameters.containsKey(keyword)) {
                return ParseResult.rejected(SmtpReplies.SYNTAX_ERROR.withText("Duplicate " + keyword + " parameter"));
            }
            parameters.put(keyword, value);
        }
        return ParseResult.parsed(parameters);
    }

    static SmtpReply badValue(String keyword) {
        return SmtpReplies.SYNTAX_ERROR.withText("Bad " + keyword + " value");
    }

    /** esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
    private static boolean isKeyword(String s) {
        if (s.isEmpty() || s.charAt(0) == '-') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** esmtp-value = 1*(%d33-60 / %d62-126), extended with UTF-8 by RFC 6531 3.3. */
    private static boolean isValue(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=' || c < 33 || c == 127 || (c > 127 && Character.isISOControl(c))) {
                return false;
            }
        }
        return true;
    }
}

package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The server side of one SASL exchange (RFC 4954 4): PLAIN (RFC 4616) or LOGIN. Each client response
 * is base64; {@code *} cancels; the outcome is a challenge to send, credentials to check, or a failure.
 */
abstract sealed class SaslExchange {

    sealed interface Step permits Challenge, Credentials, Failed {}

    record Challenge(String base64) implements Step {}

    record Credentials(String username, String password) implements Step {}

    record Failed(SmtpReply reply) implements Step {}

    static final SmtpReply AUTHZID_MISMATCH = new SmtpReply(535, "5.7.8", "Authentication credentials invalid");

    /** The exchange for a mechanism name (upper case), or null when we do not offer it. */
    static SaslExchange start(String mechanism) {
        return switch (mechanism) {
            case "PLAIN" -> new Plain();
            case "LOGIN" -> new Login();
            default -> null;
        };
    }

    /** The next step given the client's response ({@code null} for an AUTH command without one). */
    final Step next(String response) {
        if (response == null) {
            return first();
        }
        // RFC 4954 4: "*" cancels the exchange.
        if (response.equals("*")) {
            return new Failed(SmtpReplies.AUTH_CANCELLED);
        }
        byte[] decoded;
        try {
            // RFC 4954 4: "=" is an empty initial response.
            decoded = response.equals("=") ? new byte[0] : Base64.getDecoder().decode(response);
        } catch (IllegalArgumentException e) {
            return new Failed(SmtpReplies.BAD_BASE64);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(decoded))
                    .toString();
        } catch (CharacterCodingException e) {
            // Base64 well formed, but what it holds is no UTF-8 (RFC 4616, RFC 4954): say so, not "cannot decode".
            return new Failed(NOT_UTF8);
        }
        return respond(text);
    }

    /** The step when the client gave no initial response. */
    abstract Step first();

    /** The step for a decoded response. */
    abstract Step respond(String text);

    /**
     * No user name holds a control character; refusing them keeps a name that is logged and counted free
     * of line breaks and terminal escapes.
     */
    static final SmtpReply MALFORMED_USER = SmtpReplies.BAD_BASE64.withText("Malformed user name");

    /** A response whose base64 holds octets that are not UTF-8. */
    static final SmtpReply NOT_UTF8 = SmtpReplies.BAD_BASE64.withText("Credentials are not UTF-8");

    static boolean hasControl(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0));
    }

    static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    /** RFC 4616: one message, [authzid] NUL authcid NUL passwd. */
    static final class Plain extends SaslExchange {
        @Override
        Step first() {
            return new Challenge("");
        }

        @Override
        Step respond(String text) {
            String[] parts = text.split("\u0000", -1);
            if (parts.length != 3 || parts[1].isEmpty()) {
                return new Failed(SmtpReplies.BAD_BASE64.withText("Malformed PLAIN response"));
            }
            // We only let a user act as itself: a different authorization identity is refused.
            if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
                return new Failed(AUTHZID_MISMATCH);
            }
            if (hasControl(parts[1])) {
                return new Failed(MALFORMED_USER);
            }
            return new Credentials(parts[1], parts[2]);
        }
    }

    /** LOGIN: the user name, then the password, each asked for by a challenge. */
    static final class Login extends SaslExchange {
        private String username;

        @Override
        Step first() {
            return new Challenge(base64("Username:"));
        }

        @Override
        Step respond(String text) {
            if (username == null) {
                if (text.isEmpty()) {
                    return new Failed(SmtpReplies.BAD_BASE64.withText("Empty user name"));
                }
                if (hasControl(text)) {
                    return new Failed(MALFORMED_USER);
                }
                username = text;
                return new Challenge(base64("Password:"));
            }
            return new Credentials(username, text);
        }
    }
}

package dev.tern.smtp.address;

import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Parses reverse-paths and forward-paths (RFC 5321 4.1.2) out of a MAIL or RCPT argument.
 *
 * <p>The domain is what follows the last unquoted {@code @}; {@code %} and {@code !} are ordinary
 * characters of the local part and a quoted local part may hold an {@code @}, so no address can
 * smuggle a second destination past routing. Non-ASCII (RFC 6531 3.3) is accepted in local parts
 * and U-labels; whether the transaction allows it is the caller's decision ({@link
 * Mailbox#needsSmtpUtf8()}).
 */
public final class PathParser {
    /** RFC 5321 4.5.3.1.2. */
    static final int MAX_DOMAIN_OCTETS = 255;
    /**
     * RFC 5321 4.5.3.1.3: including the punctuation. The only bound on the local part too: RFC 5321's 64
     * octets (4.5.3.1.1) is not enforced, as Postfix and Exim do not, because real senders exceed it (VERP
     * and SRS addresses that carry a whole address in their local part), and 4.5.3.1 asks servers to be
     * liberal about these lengths.
     */
    static final int MAX_PATH_OCTETS = 256;

    private static final String POSTMASTER = "postmaster";

    /** A parsed path: its mailbox ({@code null} for the null path {@code <>}) and the index after it. */
    public record ParsedPath(Mailbox mailbox, int end) {
        public ReversePath toReversePath() {
            return mailbox == null ? ReversePath.NULL : new ReversePath(mailbox);
        }
    }

    private final String text;
    private final SmtpReply syntaxReply;
    private int pos;
    /** Why the last step returned null. */
    private String failure;

    private PathParser(String text, int start, SmtpReply syntaxReply) {
        this.text = text;
        this.pos = start;
        this.syntaxReply = syntaxReply;
    }

    /** Reverse-path = Path / "<>", starting at {@code start}; errors are 501 5.1.7. */
    public static ParseResult<ParsedPath> parseReversePath(String text, int start) {
        return new PathParser(text, start, SmtpReplies.BAD_SENDER_SYNTAX).path(true, null);
    }

    /**
     * Forward-path = Path, starting at {@code start}; errors are 501 5.1.3. The bare {@code
     * <Postmaster>} (RFC 5321 4.1.1.3) becomes {@code Postmaster@postmasterDomain}, and is refused
     * when {@code postmasterDomain} is null.
     */
    public static ParseResult<ParsedPath> parseForwardPath(String text, int start, String postmasterDomain) {
        return new PathParser(text, start, SmtpReplies.BAD_ADDRESS_SYNTAX).path(false, postmasterDomain);
    }

    /** A bare {@code local-part@domain}, as found in configuration; empty when it is not one. */
    public static Optional<Mailbox> parseMailbox(String address) {
        if (!wellFormed(address)) {
            return Optional.empty();
        }
        PathParser parser = new PathParser(address, 0, SmtpReplies.BAD_ADDRESS_SYNTAX);
        Mailbox mailbox = parser.mailbox(null);
        return mailbox != null && parser.pos == address.length() ? Optional.of(mailbox) : Optional.empty();
    }

    private ParseResult<ParsedPath> path(boolean nullAllowed, String postmasterDomain) {
        int start = pos;
        if (!wellFormed(text)) {
            return fail("invalid character");
        }
        if (!take('<')) {
            return unbracketed(start);
        }
        if (nullAllowed && take('>')) {
            return finish(start, null);
        }
        if (peek() == '@' && !sourceRoute()) {
            return fail(failure);
        }
        boolean routed = pos > start + 1;
        Mailbox mailbox = mailbox(routed ? null : postmasterDomain);
        if (mailbox == null) {
            return fail(failure);
        }
        if (!take('>')) {
            return fail("unexpected character in address");
        }
        return finish(start, mailbox);
    }

    /**
     * A mailbox without its angle brackets, as old clients and devices send it: taken, as Postfix (without
     * {@code strict_rfc821_envelopes}) and Exim take it. Only a whole mailbox: no source route, no bare
     * postmaster, no null path.
     */
    private ParseResult<ParsedPath> unbracketed(int start) {
        if (pos >= text.length() || peek() == ' ' || peek() == '@') {
            return fail("address must be enclosed in <>");
        }
        Mailbox mailbox = mailbox(null);
        return mailbox == null ? fail(failure) : finish(start, mailbox);
    }

    private ParseResult<ParsedPath> finish(int start, Mailbox mailbox) {
        if (pos < text.length() && text.charAt(pos) != ' ') {
            return fail("unexpected text after address");
        }
        if (octets(start, pos) > MAX_PATH_OCTETS) {
            return fail("path too long");
        }
        return ParseResult.parsed(new ParsedPath(mailbox, pos));
    }

    /** A-d-l = At-domain *( "," At-domain ) ":" — accepted and ignored (RFC 5321 4.1.2, appendix C). */
    private boolean sourceRoute() {
        do {
            if (!take('@') || domain() == null) {
                failure = "bad source route";
                return false;
            }
        } while (take(','));
        if (!take(':')) {
            failure = "bad source route";
            return false;
        }
        return true;
    }

    /** Mailbox = Local-part "@" ( Domain / address-literal ); null with {@link #failure} set. */
    private Mailbox mailbox(String postmasterDomain) {
        int localStart = pos;
        String localPart = peek() == '"' ? quotedString() : dotString();
        if (localPart == null) {
            return null;
        }
        if (!take('@')) {
            // RFC 5321 4.1.1.3: "<Postmaster>" without a domain must be accepted.
            if (postmasterDomain != null
                    && peek() == '>'
                    && localPart.toLowerCase(Locale.ROOT).equals(POSTMASTER)
                    && text.charAt(localStart) != '"') {
                return new Mailbox(localPart, postmasterDomain);
            }
            failure = "missing @domain";
            return null;
        }
        String domain = peek() == '[' ? addressLiteral() : domain();
        return domain == null ? null : new Mailbox(localPart, domain);
    }

    /** Dot-string = Atom *("." Atom), atext extended with UTF-8 (RFC 6531 3.3). */
    private String dotString() {
        int start = pos;
        boolean atomStart = true;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '.' && !atomStart) {
                atomStart = true;
            } else if (Mailbox.isAtext(c) && isPermittedNonAscii(c)) {
                atomStart = false;
            } else {
                break;
            }
            pos++;
        }
        if (pos == start || atomStart) {
            failure = "bad local part";
            return null;
        }
        return text.substring(start, pos);
    }

    /** Quoted-string = DQUOTE *QcontentSMTP DQUOTE, returned without quotes and quoted-pairs resolved. */
    private String quotedString() {
        StringBuilder sb = new StringBuilder();
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos++);
            if (c == '"') {
                if (sb.isEmpty()) {
                    break; // an empty local part names no one
                }
                return sb.toString();
            }
            if (c == '\\') {
                // quoted-pairSMTP = %d92 %d32-126
                if (pos == text.length() || text.charAt(pos) < 32 || text.charAt(pos) > 126) {
                    break;
                }
                sb.append(text.charAt(pos++));
            } else if ((c >= 32 && c <= 126) || (c > 0x7f && isPermittedNonAscii(c))) {
                // qtextSMTP = %d32-33 / %d35-91 / %d93-126, plus UTF-8 (RFC 6531 3.3)
                sb.append(c);
            } else {
                break;
            }
        }
        failure = "bad quoted local part";
        return null;
    }

    /** Domain = sub-domain *("." sub-domain), with U-labels allowed (RFC 6531 3.3). */
    private String domain() {
        int start = pos;
        while (true) {
            int label = pos;
            while (pos < text.length() && isLabelChar(text.charAt(pos))) {
                pos++;
            }
            // Let-dig [Ldh-str]: 1..63 characters, no hyphen at either end (RFC 5321 4.1.2, 4.5.3.1.2).
            if (pos == label || pos - label > 63 || text.charAt(label) == '-' || text.charAt(pos - 1) == '-') {
                failure = "bad domain";
                return null;
            }
            if (!take('.')) {
                break;
            }
        }
        if (octets(start, pos) > MAX_DOMAIN_OCTETS) {
            failure = "domain too long";
            return null;
        }
        return text.substring(start, pos);
    }

    private String addressLiteral() {
        int start = pos;
        int close = text.indexOf(']', start);
        if (close < 0 || !AddressLiteral.isValid(text.substring(start + 1, close))) {
            failure = "bad address literal";
            return null;
        }
        pos = close + 1;
        return text.substring(start, pos);
    }

    private static boolean isLabelChar(char c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || (c > 0x7f && isPermittedNonAscii(c) && !Character.isWhitespace(c) && !Character.isSpaceChar(c));
    }

    /** Non-ASCII must not be a C1 control; lone surrogates are refused up front ({@link #wellFormed}). */
    private static boolean isPermittedNonAscii(char c) {
        return c <= 0x7f || !Character.isISOControl(c);
    }

    /** False when the text holds a lone surrogate, which no UTF-8 sequence can encode. */
    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private boolean take(char c) {
        if (peek() == c && pos < text.length()) {
            pos++;
            return true;
        }
        return false;
    }

    private int octets(int from, int to) {
        return text.substring(from, to).getBytes(StandardCharsets.UTF_8).length;
    }

    private ParseResult<ParsedPath> fail(String reason) {
        return ParseResult.rejected(syntaxReply.withText(syntaxReply.text() + ": " + reason));
    }
}

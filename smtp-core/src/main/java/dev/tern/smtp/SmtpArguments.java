package dev.tern.smtp;

import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.PathParser;
import dev.tern.smtp.address.PathParser.ParsedPath;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * Parsers for the arguments of MAIL, RCPT and EHLO/HELO (RFC 5321 4.1.1, 4.1.2) and the ESMTP
 * parameters Tern understands. Every rejection is a reply value; nothing here throws on client input.
 */
public final class SmtpArguments {
    private SmtpArguments() {}

    /** {@code FROM:<reverse-path> [SP mail-parameters]} (RFC 5321 4.1.1.2). */
    public static ParseResult<MailFrom> parseMail(String argument) {
        int start = afterPrefix(argument, "FROM:");
        if (start < 0) {
            return ParseResult.rejected(SmtpReplies.SYNTAX_ERROR.withText("Syntax: MAIL FROM:<address>"));
        }
        ParseResult<ParsedPath> path = PathParser.parseReversePath(argument, start);
        if (!(path instanceof ParseResult.Parsed<ParsedPath>(ParsedPath parsedPath))) {
            return ParseResult.rejected(((ParseResult.Rejected<ParsedPath>) path).reply());
        }
        ParseResult<Map<String, String>> raw = EsmtpParameters.parse(argument, parsedPath.end());
        if (!(raw instanceof ParseResult.Parsed<Map<String, String>>(Map<String, String> map))) {
            return ParseResult.rejected(((ParseResult.Rejected<Map<String, String>>) raw).reply());
        }
        ParseResult<MailParameters> parameters = MailParameterValues.interpret(map);
        if (!(parameters instanceof ParseResult.Parsed<MailParameters>(MailParameters values))) {
            return ParseResult.rejected(((ParseResult.Rejected<MailParameters>) parameters).reply());
        }
        Mailbox mailbox = parsedPath.mailbox();
        // RFC 6531 3.4: a non-ASCII reverse-path needs SMTPUTF8 on this very command.
        if (mailbox != null && mailbox.needsSmtpUtf8() && !values.smtpUtf8()) {
            return ParseResult.rejected(SmtpReplies.SMTPUTF8_REQUIRED);
        }
        return ParseResult.parsed(new MailFrom(parsedPath.toReversePath(), values));
    }

    /**
     * {@code TO:<forward-path> [SP rcpt-parameters]} (RFC 5321 4.1.1.3). {@code smtpUtf8} says
     * whether the transaction's MAIL carried SMTPUTF8; the bare {@code <Postmaster>} is read as
     * {@code Postmaster@localDomain}.
     */
    public static ParseResult<RcptTo> parseRcpt(String argument, boolean smtpUtf8, String localDomain) {
        int start = afterPrefix(argument, "TO:");
        if (start < 0) {
            return ParseResult.rejected(SmtpReplies.SYNTAX_ERROR.withText("Syntax: RCPT TO:<address>"));
        }
        ParseResult<ParsedPath> path = PathParser.parseForwardPath(argument, start, localDomain);
        if (!(path instanceof ParseResult.Parsed<ParsedPath>(ParsedPath parsedPath))) {
            return ParseResult.rejected(((ParseResult.Rejected<ParsedPath>) path).reply());
        }
        ParseResult<Map<String, String>> raw = EsmtpParameters.parse(argument, parsedPath.end());
        if (!(raw instanceof ParseResult.Parsed<Map<String, String>>(Map<String, String> map))) {
            return ParseResult.rejected(((ParseResult.Rejected<Map<String, String>>) raw).reply());
        }
        ParseResult<RcptParameters> parameters = rcptParameters(map, smtpUtf8);
        if (!(parameters instanceof ParseResult.Parsed<RcptParameters>(RcptParameters values))) {
            return ParseResult.rejected(((ParseResult.Rejected<RcptParameters>) parameters).reply());
        }
        // RFC 6531 3.4: non-ASCII forward-paths only in a transaction that asked for SMTPUTF8.
        if (parsedPath.mailbox().needsSmtpUtf8() && !smtpUtf8) {
            return ParseResult.rejected(SmtpReplies.SMTPUTF8_REQUIRED);
        }
        return ParseResult.parsed(new RcptTo(parsedPath.mailbox(), values));
    }

    /** As {@link #parseRcpt(String, boolean, String)}, refusing a bare {@code <Postmaster>}. */
    public static ParseResult<RcptTo> parseRcpt(String argument, boolean smtpUtf8) {
        return parseRcpt(argument, smtpUtf8, null);
    }

    /**
     * The argument of EHLO/HELO (RFC 5321 4.1.1.1): a domain or address literal. Like Postfix we take
     * any single token of printable US-ASCII, since many clients announce names that are not domains.
     */
    public static ParseResult<String> parseHelo(String argument) {
        String name = argument.strip();
        if (name.isEmpty()) {
            return ParseResult.rejected(SmtpReplies.EHLO_REQUIRES_DOMAIN);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 33 || c > 126) {
                return ParseResult.rejected(SmtpReplies.SYNTAX_ERROR.withText("Invalid EHLO/HELO argument"));
            }
        }
        return ParseResult.parsed(name);
    }

    /**
     * {@code chunk-size [SP "LAST"]} (RFC 3030 2), {@code chunk-size = 1*DIGIT}: any number of leading zeros,
     * and, as Postfix reads it, words apart by any run of spaces or tabs, with any before or after. Without a
     * size the chunk cannot be found, so a refusal here leaves the session out of step with its client: the
     * server closes it ({@link SmtpReplies#BAD_BDAT_SYNTAX_CLOSING}) rather than read the chunk as commands.
     */
    public static ParseResult<BdatChunk> parseBdat(String argument) {
        String[] words = argument.strip().split("[ \t]+", -1);
        if (words.length > 2
                || !isChunkSize(words[0])
                || (words.length == 2 && !SmtpText.asciiUpperCase(words[1]).equals("LAST"))) {
            return ParseResult.rejected(SmtpReplies.BAD_BDAT_SYNTAX);
        }
        return ParseResult.parsed(new BdatChunk(Long.parseLong(words[0]), words.length == 2));
    }

    /** Digits only, at most 18 of them after the leading zeros (any larger size is refused as too large anyway). */
    private static boolean isChunkSize(String word) {
        if (word.isEmpty()) {
            return false;
        }
        int significant = 0;
        for (int i = 0; i < word.length(); i++) {
            char c = word.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            if (c != '0' || significant > 0) {
                significant++;
            }
        }
        return significant <= 18;
    }

    /**
     * RCPT parameters NOTIFY and ORCPT (RFC 3461 4.1, 4.2). In a transaction that asked for SMTPUTF8 a {@code utf-8}
     * ORCPT may carry its address as UTF-8 itself (RFC 6533 3, utf-8-addr-unitext); it is kept with every non-ASCII
     * character written as {@code \x{HEX}} (utf-8-addr-xtext), the form every next hop and report takes.
     */
    private static ParseResult<RcptParameters> rcptParameters(Map<String, String> raw, boolean smtpUtf8) {
        Set<RcptParameters.Notify> notify = EnumSet.noneOf(RcptParameters.Notify.class);
        String orcpt = null;
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            switch (key) {
                case "NOTIFY" -> {
                    if (value == null || !parseNotify(value, notify)) {
                        return ParseResult.rejected(EsmtpParameters.badValue(key));
                    }
                }
                case "ORCPT" -> {
                    String escaped = value == null ? null : smtpUtf8 ? Xtext.escapeUtf8Unitext(value) : value;
                    if (escaped == null || !isOrcpt(escaped)) {
                        return ParseResult.rejected(EsmtpParameters.badValue(key));
                    }
                    orcpt = escaped;
                }
                default -> {
                    return ParseResult.rejected(SmtpReplies.UNKNOWN_PARAMETER);
                }
            }
        }
        return ParseResult.parsed(new RcptParameters(notify, orcpt).shared());
    }

    /** NOTIFY = "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" ) (RFC 3461 4.1). */
    private static boolean parseNotify(String value, Set<RcptParameters.Notify> into) {
        for (String item : value.split(",", -1)) {
            switch (SmtpText.asciiUpperCase(item)) {
                case "NEVER" -> into.add(RcptParameters.Notify.NEVER);
                case "SUCCESS" -> into.add(RcptParameters.Notify.SUCCESS);
                case "FAILURE" -> into.add(RcptParameters.Notify.FAILURE);
                case "DELAY" -> into.add(RcptParameters.Notify.DELAY);
                default -> {
                    return false;
                }
            }
        }
        // "NEVER" must stand alone.
        return !into.contains(RcptParameters.Notify.NEVER) || into.size() == 1 && !value.contains(",");
    }

    /**
     * ORCPT = addr-type ";" xtext, at most 500 characters (RFC 3461 4.2); the decoded address must be
     * printable, since it is copied into delivery status notifications, and for the {@code utf-8} type so must
     * what its {@code \x{HEX}} escapes name (RFC 6533 3).
     */
    private static boolean isOrcpt(String value) {
        int semicolon = value.indexOf(';');
        if (value.length() > 500 || semicolon <= 0) {
            return false;
        }
        String address = value.substring(semicolon + 1);
        boolean utf8 = semicolon == 5 && value.regionMatches(true, 0, "utf-8", 0, 5);
        if (!(utf8 ? Xtext.isPrintableUtf8Address(address) : Xtext.isPrintable(address))) {
            return false;
        }
        for (int i = 0; i < semicolon; i++) {
            // addr-type = atom (RFC 5322 3.2.3), ASCII only
            if (value.charAt(i) > 0x7f || !Mailbox.isAtext(value.charAt(i))) {
                return false;
            }
        }
        return semicolon + 1 < value.length();
    }

    /**
     * The index after {@code prefix} (in capitals, matched in any case of US-ASCII) and the spaces around it, or
     * -1. Clients write {@code MAIL FROM: <a@b>} and worse; Postfix and Exim take the spaces, and so does Tern.
     */
    private static int afterPrefix(String argument, String prefix) {
        int start = skipSpaces(argument, 0);
        if (!SmtpText.startsWithIgnoringAsciiCase(argument, prefix, start)) {
            return -1;
        }
        return skipSpaces(argument, start + prefix.length());
    }

    private static int skipSpaces(String argument, int pos) {
        while (pos < argument.length() && argument.charAt(pos) == ' ') {
            pos++;
        }
        return pos;
    }
}

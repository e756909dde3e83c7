package dev.tern.server.cli;

import dev.tern.smtp.MailDates;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Builds the message {@code tern send} submits (RFC 5322): Date, Message-ID, From, To, Subject and
 * MIME-Version, a text body, and a multipart/mixed body with base64 parts when files are attached
 * (RFC 2045, RFC 2046 5.1.3). Non-ASCII header text is an RFC 2047 encoded-word, non-ASCII file names
 * an RFC 2231 parameter; text that is not 7-bit goes base64 so no server needs 8BITMIME.
 */
final class MessageComposer {
    /** RFC 2047 2: an encoded-word is at most 75 characters; 45 octets of base64 stay inside. */
    private static final int WORD_OCTETS = 45;

    private static final Base64.Encoder MIME_BASE64 =
            Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII));

    /** A file to attach: its name as shown and its bytes. */
    record Attachment(String fileName, byte[] content) {}

    private MessageComposer() {}

    static byte[] compose(
            String from,
            List<String> to,
            String subject,
            String body,
            List<Attachment> attachments,
            ZonedDateTime date,
            String idDomain) {
        StringBuilder m = new StringBuilder();
        header(m, "Date", MailDates.format(date)); // RFC 5322 3.6.1, a numeric zone (3.3)
        header(m, "Message-ID", "<" + UUID.randomUUID() + "@" + idDomain + ">"); // RFC 5322 3.6.4
        header(m, "From", from);
        header(m, "To", String.join(",\r\n ", to));
        if (subject != null) {
            header(m, "Subject", encodeWords(subject));
        }
        header(m, "MIME-Version", "1.0"); // RFC 2045 4
        if (attachments.isEmpty()) {
            textPart(m, body);
            return m.toString().getBytes(StandardCharsets.UTF_8);
        }
        String boundary = "=_tern_" + UUID.randomUUID().toString().replace("-", "");
        header(m, "Content-Type", "multipart/mixed; boundary=\"" + boundary + "\"");
        m.append("\r\nThis is a multi-part message in MIME format.\r\n");
        m.append("--").append(boundary).append("\r\n");
        textPart(m, body);
        for (Attachment a : attachments) {
            m.append("\r\n--").append(boundary).append("\r\n");
            header(m, "Content-Type", contentType(a.fileName()) + "; name=" + parameter(a.fileName()));
            header(m, "Content-Disposition", "attachment; " + fileNameParameter(a.fileName()));
            header(m, "Content-Transfer-Encoding", "base64");
            m.append("\r\n").append(base64Lines(a.content()));
        }
        m.append("\r\n--").append(boundary).append("--\r\n"); // RFC 2046 5.1.1: the close-delimiter
        return m.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The content type for a file name, application/octet-stream when it is unknown. */
    static String contentType(String fileName) {
        String guessed = URLConnection.guessContentTypeFromName(fileName);
        return guessed != null ? guessed : "application/octet-stream";
    }

    /** {@code text} as it may stand in an unstructured header: itself, or RFC 2047 B encoded-words. */
    static String encodeWords(String text) {
        if (isPlainAscii(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            // Take whole code points until the next one would overflow the word (RFC 2047 5: no
            // encoded-word may split a character).
            int end = i;
            int octets = 0;
            while (end < text.length()) {
                int cp = text.codePointAt(end);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (octets + n > WORD_OCTETS) {
                    break;
                }
                octets += n;
                end += Character.charCount(cp);
            }
            if (out.length() > 0) {
                out.append("\r\n "); // folding between words (RFC 2047 2, RFC 5322 2.2.3)
            }
            byte[] chunk = text.substring(i, end).getBytes(StandardCharsets.UTF_8);
            out.append("=?UTF-8?B?")
                    .append(Base64.getEncoder().encodeToString(chunk))
                    .append("?=");
            i = end;
        }
        return out.toString();
    }

    private static void textPart(StringBuilder m, String body) {
        String crlf = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n");
        if (!crlf.isEmpty() && !crlf.endsWith("\r\n")) {
            crlf += "\r\n";
        }
        if (isPlainAscii(crlf.replace("\r\n", "")) && longestLine(crlf) <= 998) {
            header(m, "Content-Type", "text/plain; charset=UTF-8");
            header(m, "Content-Transfer-Encoding", "7bit");
            m.append("\r\n").append(crlf);
        } else {
            header(m, "Content-Type", "text/plain; charset=UTF-8");
            header(m, "Content-Transfer-Encoding", "base64");
            m.append("\r\n").append(base64Lines(crlf.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static String base64Lines(byte[] content) {
        String encoded = MIME_BASE64.encodeToString(content);
        return encoded.isEmpty() ? "" : encoded + "\r\n";
    }

    private static String fileNameParameter(String name) {
        if (isPlainAscii(name)) {
            return "filename=" + parameter(name);
        }
        // RFC 2231 4: charset''percent-encoded octets.
        StringBuilder sb = new StringBuilder("filename*=UTF-8''");
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(java.util.Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    /** A quoted-string parameter value (RFC 2045 5.1), encoded-words for non-ASCII as mailers expect. */
    private static String parameter(String value) {
        String v = isPlainAscii(value) ? value : encodeWords(value).replace("\r\n ", "");
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void header(StringBuilder m, String name, String value) {
        m.append(name).append(": ").append(value).append("\r\n");
    }

    private static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0x7e || (c < 0x20 && c != '\t')) {
                return false;
            }
        }
        return true;
    }

    private static int longestLine(String crlf) {
        int longest = 0;
        for (String line : crlf.split("\r\n", -1)) {
            longest = Math.max(longest, line.length());
        }
        return longest;
    }

    /** The display name of a file on the command line. */
    static String fileName(Path file) {
        return file.getFileName().toString();
    }
}

package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 7-bit conversion for servers without 8BITMIME, read back by an independent MIME parser (Angus
 * Mail): what it decodes is what was sent, and no octet over 127 is left where MIME could encode it.
 */
class SevenBitMimeTest {
    private static final String TEXT = "Grüße aus Köln, = ist gleich,\t\r\n"
            + "eine sehr lange Zeile " + "ä".repeat(60) + " mit Ende \r\n"
            + ".ein Punkt vorn\r\n";

    @Test
    void encodesAn8BitTextBodyQuotedPrintableThatDecodesToTheSameOctets() throws Exception {
        String message = "MIME-Version: 1.0\r\nSubject: one part\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + TEXT;

        byte[] converted = convert(message);

        assertThat(sevenBit(converted)).isTrue();
        String wire = new String(converted, StandardCharsets.US_ASCII);
        assertThat(wire)
                .contains("Content-Transfer-Encoding: quoted-printable\r\n")
                .doesNotContain("8bit");
        assertThat(wire.lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(76));
        MimeMessage parsed = parse(converted);
        assertThat(parsed.getSubject()).isEqualTo("one part");
        assertThat(decoded(parsed.getInputStream())).isEqualTo(TEXT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "8bit (comment)", // RFC 2045 6.1 allows a comment after the mechanism
                "(before) 8BIT", // and before it, in any case
                "8bit (a (nested) comment with \\) in it)", // comments nest and hold quoted-pairs
                "8bit(no space)",
                "\r\n 8bit\r\n (folded)", // folding white space
                "(only a comment)", // no mechanism: 7bit by default (RFC 2045 6.1)
            })
    void readsTheTransferEncodingPastCommentsAndFolding(String encoding) throws Exception {
        String message = "MIME-Version: 1.0\r\nSubject: one part\r\nContent-Type: text/plain (plain text);"
                + " charset=utf-8\r\nContent-Transfer-Encoding: " + encoding + "\r\n\r\n" + TEXT;

        byte[] converted = convert(message);

        assertThat(sevenBit(converted)).isTrue();
        MimeMessage parsed = parse(converted);
        assertThat(parsed.getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
        assertThat(decoded(parsed.getInputStream())).isEqualTo(TEXT);
    }

    @Test
    void findsTheBoundaryOfAMultipartWhoseTypeCarriesComments() throws Exception {
        String message = "MIME-Version: 1.0\r\nSubject: parts\r\n"
                + "Content-Type: multipart/mixed (two parts); name=\"a; boundary=wrong\";\r\n"
                + "\tboundary=\"=_b\" (the boundary)\r\n\r\n"
                + "--=_b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT
                + "--=_b\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: (see RFC 2045) 8bit\r\n\r\n" + TEXT
                + "--=_b--\r\n";

        byte[] converted = convert(message);

        assertThat(sevenBit(converted)).isTrue();
        MimeMultipart parts = (MimeMultipart) parse(converted).getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            assertThat(decoded(parts.getBodyPart(i).getInputStream())).isEqualTo(TEXT.substring(0, TEXT.length() - 2));
        }
    }

    @Test
    void convertsEachPartOfAMultipartAndLeavesEncodedPartsAndBoundariesAlone() throws Exception {
        String base64 = "SGVsbG8sIHdvcmxkIQ==\r\n";
        String message = "MIME-Version: 1.0\r\nSubject: parts\r\n"
                + "Content-Type: multipart/mixed; boundary=\"=_b\"\r\n\r\n"
                + "Präambel\r\n"
                + "--=_b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT
                + "--=_b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + base64
                + "--=_b\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
                + "--inner\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "<p>" + TEXT + "</p>\r\n"
                + "--inner--\r\n"
                + "--=_b--\r\nEpilog\r\n";

        byte[] converted = convert(message);

        String wire = new String(converted, StandardCharsets.ISO_8859_1);
        assertThat(wire).contains(base64).contains("\r\n--=_b--\r\n").contains("\r\n--inner--\r\n");
        MimeMultipart parts = (MimeMultipart) parse(converted).getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        // The line break before a boundary line is the boundary's (RFC 2046 5.1.1), not the part's.
        assertThat(decoded(parts.getBodyPart(0).getInputStream())).isEqualTo(TEXT.substring(0, TEXT.length() - 2));
        assertThat(parts.getBodyPart(0).getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
        assertThat(decoded(parts.getBodyPart(1).getInputStream())).isEqualTo("Hello, world!");
        BodyPart html = ((MimeMultipart) parts.getBodyPart(2).getContent()).getBodyPart(0);
        assertThat(decoded(html.getInputStream())).isEqualTo("<p>" + TEXT + "</p>");
        // The preamble is no part of any body (RFC 2046 5.1.1): it goes as it came.
        assertThat(wire).contains("Pr\u00c3\u00a4ambel\r\n");
    }

    @Test
    void marksAMultipartLabelled8BitThatHoldsNothing8BitAfter7Bit() throws Exception {
        // RFC 2045 6.4: a multipart takes no encoding but an identity one, and 8bit would tell a 7-bit server lies.
        String message = "MIME-Version: 1.0\r\nSubject: alternatives\r\n"
                + "Content-Type: multipart/alternative; boundary=alt\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + TEXT
                + "--alt\r\nContent-Type: multipart/mixed; boundary=in\r\nContent-Transfer-Encoding: 8BIT\r\n\r\n"
                + "--in\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" + TEXT + "</p>\r\n--in--\r\n"
                + "--alt--\r\n";

        byte[] converted = convert(message);

        assertThat(sevenBit(converted)).isTrue();
        String wire = new String(converted, StandardCharsets.US_ASCII);
        assertThat(wire).doesNotContainIgnoringCase("Content-Transfer-Encoding: 8bit");
        MimeMessage parsed = parse(converted);
        assertThat(parsed.getHeader("Content-Transfer-Encoding")).containsExactly("7bit");
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getBodyPart(1).getHeader("Content-Transfer-Encoding")).containsExactly("7bit");
        assertThat(decoded(parts.getBodyPart(0).getInputStream())).isEqualTo(TEXT.substring(0, TEXT.length() - 2));
        BodyPart html = ((MimeMultipart) parts.getBodyPart(1).getContent()).getBodyPart(0);
        assertThat(decoded(html.getInputStream())).isEqualTo("<p>" + TEXT + "</p>");
        // A multipart whose preamble stays 8-bit keeps its label: it is still 8-bit.
        String preamble = message.replace("\r\n\r\n--alt\r\n", "\r\n\r\nPr\u00e4ambel\r\n--alt\r\n");
        assertThat(new String(convert(preamble), StandardCharsets.ISO_8859_1))
                .startsWith("MIME-Version: 1.0\r\nSubject: alternatives\r\n"
                        + "Content-Type: multipart/alternative; boundary=alt\r\nContent-Transfer-Encoding: 8bit\r\n");
    }

    @Test
    void convertsAnAttachedMessageAndMarksIt7Bit() throws Exception {
        String message = "MIME-Version: 1.0\r\nSubject: forwarded\r\n"
                + "Content-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Subject: inner\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + TEXT;

        byte[] converted = convert(message);

        assertThat(sevenBit(converted)).isTrue();
        String wire = new String(converted, StandardCharsets.US_ASCII);
        assertThat(wire).contains("Content-Transfer-Encoding: 7bit\r\n");
        MimeMessage inner = (MimeMessage) parse(converted).getContent();
        assertThat(inner.getSubject()).isEqualTo("inner");
        assertThat(decoded(inner.getInputStream())).isEqualTo(TEXT);
    }

    @Test
    void convertsEveryMessageOfADigestWhosePartsAreMessagesByDefault() throws Exception {
        StringBuilder message = new StringBuilder(
                "MIME-Version: 1.0\r\nSubject: digest\r\n" + "Content-Type: multipart/digest; boundary=d\r\n\r\n");
        int parts = 2_000;
        for (int i = 0; i < parts; i++) {
            // No Content-Type: in a digest a part is message/rfc822 (RFC 2046 5.1.5).
            message.append("--d\r\n\r\nSubject: ")
                    .append(i)
                    .append("\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nN\u00e4me ")
                    .append(i)
                    .append("\r\n");
        }
        message.append("--d--\r\n");

        byte[] converted = convert(message.toString());

        assertThat(sevenBit(converted)).isTrue();
        String wire = new String(converted, StandardCharsets.US_ASCII);
        assertThat(wire.split("Content-Transfer-Encoding: quoted-printable\r\n", -1))
                .hasSize(parts + 1);
        assertThat(wire).contains("\r\n\r\nN=C3=A4me 1999\r\n--d--\r\n");
        MimeMultipart digest = (MimeMultipart) parse(converted).getContent();
        assertThat(digest.getCount()).isEqualTo(parts);
    }

    @Test
    void leavesWhatItCannotConvertAsItIs() throws Exception {
        // No MIME-Version: nothing says what the body is (RFC 2045 4).
        String plain = "Subject: old style\r\n\r\n" + TEXT;
        assertThat(convert(plain)).isEqualTo(plain.getBytes(StandardCharsets.UTF_8));
        // Already encoded, or 8-bit only in a header field.
        String header = "MIME-Version: 1.0\r\nSubject: Grüße\r\nContent-Type: text/plain\r\n\r\nascii\r\n";
        assertThat(convert(header)).isEqualTo(header.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] convert(String message) {
        ByteBuf in = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        ByteBuf out = SevenBitMime.convert(in, ByteBufAllocator.DEFAULT);
        try {
            assertThat(in.readerIndex()).as("the source is not moved").isZero();
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
            in.release();
        }
    }

    private static boolean sevenBit(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static String decoded(InputStream in) throws Exception {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}

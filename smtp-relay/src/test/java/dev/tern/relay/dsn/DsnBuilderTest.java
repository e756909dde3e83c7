package dev.tern.relay.dsn;

import static dev.tern.relay.dsn.DsnFixtures.ATTEMPT;
import static dev.tern.relay.dsn.DsnFixtures.ORIGINAL;
import static dev.tern.relay.dsn.DsnFixtures.assertWellFormedLines;
import static dev.tern.relay.dsn.DsnFixtures.envelope;
import static dev.tern.relay.dsn.DsnFixtures.field;
import static dev.tern.relay.dsn.DsnFixtures.local;
import static dev.tern.relay.dsn.DsnFixtures.parse;
import static dev.tern.relay.dsn.DsnFixtures.rcpt;
import static dev.tern.relay.dsn.DsnFixtures.refused;
import static dev.tern.relay.dsn.DsnFixtures.report;
import static dev.tern.relay.dsn.DsnFixtures.statusGroups;
import static dev.tern.relay.dsn.DsnFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailDates;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptParameters.Notify;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.ReversePath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DsnBuilderTest {
    static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");

    private final DsnBuilder builder = new DsnBuilder("mx.tern.test", Clock.fixed(NOW, ZoneOffset.UTC));
    private final ByteBuf original = Unpooled.copiedBuffer(ORIGINAL, StandardCharsets.UTF_8);

    @AfterEach
    void release() {
        assertThat(original.refCnt()).as("the caller still owns the original").isEqualTo(1);
        assertThat(original.readerIndex()).isZero();
        original.release();
    }

    private Dsn failure(Envelope envelope, Bouncer.Recipient... recipients) {
        return failure(envelope, original, recipients);
    }

    private Dsn failure(Envelope envelope, ByteBuf content, Bouncer.Recipient... recipients) {
        return builder.build(report(Bouncer.Kind.FAILURE, envelope, recipients), content);
    }

    @Test
    void failureIsAMultipartReportWithNotificationStatusAndHeaders() throws Exception {
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));

        Dsn dsn = failure(envelope, refused(0));

        assertThat(dsn.envelope().reversePath()).isEqualTo(ReversePath.NULL);
        assertThat(dsn.envelope().recipients())
                .singleElement()
                .satisfies(r -> assertThat(r.mailbox().address()).isEqualTo("sender@example.org"));
        assertWellFormedLines(dsn.content());
        MimeMessage message = parse(dsn.content());
        assertThat(message.getHeader("From", null)).isEqualTo("Mail Delivery System <MAILER-DAEMON@mx.tern.test>");
        assertThat(message.getHeader("To", null)).isEqualTo("<sender@example.org>");
        assertThat(message.getSubject()).isEqualTo("Undelivered Mail Returned to Sender");
        assertThat(message.getHeader("Auto-Submitted", null)).isEqualTo("auto-replied");
        assertThat(message.getSentDate()).isEqualTo(java.util.Date.from(NOW));
        assertThat(message.getMessageID()).startsWith("<").endsWith("@mx.tern.test>");
        assertThat(message.isMimeType("multipart/report")).isTrue();
        assertThat(message.getContentType()).contains("report-type=delivery-status");

        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(3);
        BodyPart human = parts.getBodyPart(0);
        assertThat(human.isMimeType("text/plain")).isTrue();
        assertThat(text(human)).contains("<rcpt@example.net>", "550 <rcpt@example.net>: no such user");

        BodyPart status = parts.getBodyPart(1);
        assertThat(status.isMimeType("message/delivery-status")).isTrue();
        List<InternetHeaders> groups = statusGroups(status);
        assertThat(groups).hasSize(2);
        InternetHeaders perMessage = groups.get(0);
        assertThat(field(perMessage, "Reporting-MTA")).isEqualTo("dns; mx.tern.test");
        assertThat(field(perMessage, "X-Tern-Queue-ID")).isEqualTo("ABC123");
        assertThat(field(perMessage, "Arrival-Date")).isEqualTo("Fri, 28 Feb 2025 09:30:00 +0000");
        assertThat(field(perMessage, "Original-Envelope-Id")).isNull();
        InternetHeaders perRecipient = groups.get(1);
        assertThat(field(perRecipient, "Final-Recipient")).isEqualTo("rfc822; rcpt@example.net");
        assertThat(field(perRecipient, "Action")).isEqualTo("failed");
        assertThat(field(perRecipient, "Status")).isEqualTo("5.1.1");
        assertThat(field(perRecipient, "Remote-MTA")).isEqualTo("dns; mx1.example.net");
        assertThat(field(perRecipient, "Diagnostic-Code"))
                .isEqualTo("smtp; 550 5.1.1 <rcpt@example.net>: no such user");
        assertThat(field(perRecipient, "Original-Recipient")).isNull();
        assertThat(field(perRecipient, "Will-Retry-Until")).isNull();
        // RFC 3464 2.3.7: when it was tried, as the spool recorded it, not when the report was written.
        assertThat(field(perRecipient, "Last-Attempt-Date")).isEqualTo(MailDates.format(ATTEMPT));

        BodyPart returned = parts.getBodyPart(2);
        assertThat(returned.isMimeType("text/rfc822-headers")).isTrue();
        assertThat(text(returned)).contains("Subject: Hello there").doesNotContain("The body line");
    }

    @Test
    void transcribesAMultiLineReplyOneLinePerFoldedLine() throws Exception {
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));
        SmtpReply reply = new SmtpReply(
                550, EnhancedStatus.parse("5.1.1"), List.of("<rcpt@example.net>: no such user", "try rcpt2 instead"));
        Bouncer.Recipient refused = new Bouncer.Recipient(
                0, new LastAttempt(ATTEMPT.toEpochMilli(), reply.status(), reply, "mx1.example.net", "x", false));

        Dsn dsn = failure(envelope, refused);

        // RFC 3461 9.2: "550-" on every line but the last, and a space in front of each line after the first.
        assertThat(new String(dsn.content(), StandardCharsets.US_ASCII))
                .contains("Diagnostic-Code: smtp; 550-5.1.1 <rcpt@example.net>: no such user\r\n"
                        + " 550 5.1.1 try rcpt2 instead\r\n");
        InternetHeaders perRecipient = statusGroups(
                        ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(1))
                .get(1);
        assertThat(field(perRecipient, "Status")).isEqualTo("5.1.1");
    }

    /** A server's reply in UTF-8 makes the status part 8-bit: it is declared so (RFC 6533 3), not as 7-bit. */
    @Test
    void aUtf8ReplyInTheDiagnosticMakesTheStatusPartGlobal() throws Exception {
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));
        SmtpReply reply = new SmtpReply(550, EnhancedStatus.parse("5.1.1"), List.of("Empfänger unbekannt"));
        Bouncer.Recipient refused = new Bouncer.Recipient(
                0, new LastAttempt(ATTEMPT.toEpochMilli(), reply.status(), reply, "mx1.example.net", "x", false));

        Dsn dsn = failure(envelope, refused);

        BodyPart status = ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(1);
        assertThat(status.isMimeType("message/global-delivery-status")).isTrue();
        assertThat(new String(dsn.content(), StandardCharsets.UTF_8))
                .contains("Diagnostic-Code: smtp; 550 5.1.1 Empfänger unbekannt");
        assertThat(dsn.envelope().parameters().body()).isEqualTo(MailParameters.Body.EIGHT_BIT_MIME);
    }

    @Test
    void anExpiredRecipientCarriesOurStatusAndTheLastRemoteReply() throws Exception {
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));
        SmtpReply reply = new SmtpReply(451, "4.3.0", "mailbox busy");
        Bouncer.Recipient expired = new Bouncer.Recipient(
                0,
                new LastAttempt(
                        ATTEMPT.toEpochMilli(),
                        EnhancedStatus.parse("4.4.7"),
                        reply,
                        "mx1.example.net",
                        "delivery time expired after 120h; last error: 451 mailbox busy",
                        false));

        Dsn dsn = failure(envelope, expired);

        MimeMultipart parts = (MimeMultipart) parse(dsn.content()).getContent();
        InternetHeaders perRecipient = statusGroups(parts.getBodyPart(1)).get(1);
        assertThat(field(perRecipient, "Action")).isEqualTo("failed");
        assertThat(field(perRecipient, "Status")).isEqualTo("4.4.7");
        assertThat(field(perRecipient, "Remote-MTA")).isEqualTo("dns; mx1.example.net");
        assertThat(field(perRecipient, "Diagnostic-Code")).isEqualTo("smtp; 451 4.3.0 mailbox busy");
        assertThat(text(parts.getBodyPart(0))).contains("delivery time expired after 120h");
    }

    /**
     * Found by DsnBuilderFuzzTest: an original received raw (BDAT) with bare LF and CR went into the report
     * as it was, so Tern's own report held bare line ends, among them a bare LF before "." CRLF that a
     * lenient next hop reads as the end of the data (CVE-2023-51764).
     */
    @Test
    void returnedOriginalHasOnlyCrlfLineEnds() throws Exception {
        MailParameters full =
                new MailParameters(-1, MailParameters.Body.BINARY_MIME, false, MailParameters.Ret.FULL, null, null);
        ByteBuf raw = Unpooled.copiedBuffer(
                "Subject: raw\nX: y\r\rZ: w\r\n\r\nbody\n.\r\nMAIL FROM:<evil@example.org>\r", StandardCharsets.UTF_8);
        try {
            Dsn dsn = failure(envelope(full, rcpt("rcpt@example.net", RcptParameters.NONE)), raw, refused(0));

            assertWellFormedLines(dsn.content());
            String returned = new String(dsn.content(), StandardCharsets.UTF_8);
            assertThat(returned).contains("Subject: raw\r\nX: y\r\n\r\nZ: w\r\n\r\nbody\r\n.\r\nMAIL FROM");
            assertThat(raw.readerIndex()).isZero();
        } finally {
            raw.release();
        }
    }

    /**
     * RET=FULL returns the whole message up to 50,000 octets, as Postfix's bounce_size_limit; a larger one goes
     * back as its headers: a report as large as the message would be refused by a sender whose server takes
     * no more than that message (Tern's own default limit, say), and a report is never reported in turn.
     */
    @ParameterizedTest(name = "{0} octets of body")
    @ValueSource(ints = {49_000, 51_000})
    void returnsTheWholeMessageOnlyUpToFiftyThousandOctets(int bodyOctets) throws Exception {
        MailParameters full =
                new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, MailParameters.Ret.FULL, null, null);
        String head = "Subject: big\r\n\r\n";
        StringBuilder body = new StringBuilder();
        while (body.length() < bodyOctets) {
            body.append("x".repeat(76)).append("\r\n");
        }
        body.setLength(bodyOctets - 2);
        body.append("\r\n");
        ByteBuf raw = Unpooled.copiedBuffer(head + body, StandardCharsets.US_ASCII);
        try {
            Dsn dsn = failure(envelope(full, rcpt("rcpt@example.net", RcptParameters.NONE)), raw, refused(0));

            String report = new String(dsn.content(), StandardCharsets.US_ASCII);
            boolean whole = raw.readableBytes() <= 50_000;
            assertThat(report).contains(whole ? "Content-Type: message/rfc822" : "Content-Type: text/rfc822-headers");
            assertThat(report.contains(body.substring(0, 200))).isEqualTo(whole);
            assertThat(dsn.content().length).isLessThan(whole ? 60_000 : 5_000);
        } finally {
            raw.release();
        }
    }

    @Test
    void foldsAnOverlongHeaderLineOfContinuationOctetsAtTheLimit() throws Exception {
        // Found by DsnBuilderFuzzTest: 10xxxxxx octets, never a place to fold within a UTF-8 sequence,
        // for longer than any sequence is; the line must still end by octet 998.
        byte[] header = new byte[3000];
        java.util.Arrays.fill(header, (byte) 0x80);
        byte[] name = "Subject: ".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, header, 0, name.length);
        ByteBuf raw = Unpooled.wrappedBuffer(header, "\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII));
        try {
            MailParameters headers = new MailParameters(
                    -1, MailParameters.Body.EIGHT_BIT_MIME, false, MailParameters.Ret.HDRS, null, null);
            Dsn dsn = failure(envelope(headers, rcpt("rcpt@example.net", RcptParameters.NONE)), raw, refused(0));

            assertWellFormedLines(dsn.content());
        } finally {
            raw.release();
        }
    }

    @Test
    void successReportSaysDeliveredHereAndRelayedToAHopWithoutDsn() throws Exception {
        RcptParameters success = new RcptParameters(java.util.Set.of(Notify.SUCCESS), null);
        MailParameters full =
                new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, MailParameters.Ret.FULL, null, null);
        Envelope envelope = envelope(full, rcpt("local@tern.test", success), rcpt("rcpt@example.net", success));
        SmtpReply queued = new SmtpReply(250, "2.0.0", "Ok: queued as 4711");
        Bouncer.Recipient relayed = new Bouncer.Recipient(
                1,
                new LastAttempt(
                        ATTEMPT.toEpochMilli(),
                        queued.status(),
                        queued,
                        "mx1.example.net",
                        "250 Ok: queued as 4711",
                        false));

        Dsn dsn = builder.build(
                report(
                        Bouncer.Kind.SUCCESS,
                        envelope,
                        local(0, "2.0.0", "delivered to maildir local@tern.test"),
                        relayed),
                original);

        assertWellFormedLines(dsn.content());
        MimeMessage message = parse(dsn.content());
        assertThat(message.getSubject()).isEqualTo("Successful Mail Delivery Report");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        List<InternetHeaders> groups = statusGroups(parts.getBodyPart(1));
        // RFC 3461 5.2.3: put in a mailbox here.
        assertThat(field(groups.get(1), "Action")).isEqualTo("delivered");
        assertThat(field(groups.get(1), "Status")).isEqualTo("2.0.0");
        assertThat(field(groups.get(1), "Remote-MTA")).isNull();
        // RFC 3461 5.2.2 (b): handed to a server that will not report delivery itself.
        assertThat(field(groups.get(2), "Action")).isEqualTo("relayed");
        assertThat(field(groups.get(2), "Remote-MTA")).isEqualTo("dns; mx1.example.net");
        assertThat(field(groups.get(2), "Diagnostic-Code")).isEqualTo("smtp; 250 2.0.0 Ok: queued as 4711");
        // RFC 3461 6.2: a report of no failure returns only the headers, whatever RET asked.
        assertThat(parts.getBodyPart(2).isMimeType("text/rfc822-headers")).isTrue();
    }

    @Test
    void neverReportsToTheNullReversePath() {
        Envelope envelope = new Envelope(
                ReversePath.NULL, List.of(rcpt("rcpt@example.net", RcptParameters.NONE)), MailParameters.NONE);

        assertThat(failure(envelope, refused(0))).isNull();
        assertThat(builder.build(report(Bouncer.Kind.DELAY, envelope, refused(0)), original))
                .isNull();
    }

    @Test
    void returnsTheWholeMessageForRetFull() throws Exception {
        MailParameters full =
                new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, MailParameters.Ret.FULL, null, null);
        Envelope envelope = envelope(full, rcpt("rcpt@example.net", RcptParameters.NONE));

        Dsn dsn = failure(envelope, refused(0));

        assertWellFormedLines(dsn.content());
        BodyPart returned = ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(2);
        assertThat(returned.isMimeType("message/rfc822")).isTrue();
        MimeMessage inner = (MimeMessage) returned.getContent();
        assertThat(inner.getSubject()).isEqualTo("Hello there");
        assertThat(new String(inner.getRawInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                .isEqualTo("The body line one\r\nThe body line two\r\n");
    }

    @Test
    void returnsHeadersOnlyForRetHdrs() throws Exception {
        MailParameters hdrs =
                new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, MailParameters.Ret.HDRS, null, null);
        Envelope envelope = envelope(hdrs, rcpt("rcpt@example.net", RcptParameters.NONE));

        Dsn dsn = failure(envelope, refused(0));

        BodyPart returned = ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(2);
        assertThat(returned.isMimeType("text/rfc822-headers")).isTrue();
        assertThat(text(returned)).isEqualTo(ORIGINAL.substring(0, ORIGINAL.indexOf("\r\n\r\n") + 2));
    }

    /**
     * RFC 6532 3.7's types label an internationalized message, one sent with SMTPUTF8 (RFC 6533 6); a
     * message sent with BODY=8BITMIME alone is returned as message/rfc822 or text/rfc822-headers however
     * 8-bit its octets, as Postfix returns it, with its 8-bit encoding said.
     */
    @ParameterizedTest(name = "SMTPUTF8 {0}, RET={1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # SMTPUTF8 | RET  | recipient          | returned as            | status part
            false      | FULL | rcpt@example.net   | message/rfc822         | message/delivery-status
            false      | HDRS | rcpt@example.net   | text/rfc822-headers    | message/delivery-status
            true       | FULL | jürgen@example.net | message/global         | message/global-delivery-status
            true       | HDRS | jürgen@example.net | message/global-headers | message/global-delivery-status
            """)
    void labelsTheReturnedContentByWhetherTheMessageWasSentWithSmtpUtf8(
            boolean smtpUtf8, MailParameters.Ret ret, String recipient, String returnedType, String statusType)
            throws Exception {
        String message = "From: sender@example.org\r\nTo: " + recipient + "\r\nSubject: Grüße\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln\r\n";
        ByteBuf eightBit = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        try {
            MailParameters parameters =
                    new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, smtpUtf8, ret, null, null);
            Envelope envelope = envelope(parameters, rcpt(recipient, RcptParameters.NONE));

            Dsn dsn = failure(envelope, eightBit, refused(0));

            assertWellFormedLines(dsn.content());
            MimeMultipart parts = (MimeMultipart) parse(dsn.content()).getContent();
            assertThat(parts.getBodyPart(1).isMimeType(statusType)).isTrue();
            BodyPart returned = parts.getBodyPart(2);
            assertThat(returned.getContentType()).isEqualTo(returnedType);
            assertThat(returned.getHeader("Content-Transfer-Encoding")).containsExactly("8bit");
            String expected =
                    ret == MailParameters.Ret.FULL ? message : message.substring(0, message.indexOf("\r\n\r\n") + 2);
            assertThat(new String(((MimeBodyPart) returned).getRawInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(expected);
            assertThat(dsn.envelope().parameters().body()).isEqualTo(MailParameters.Body.EIGHT_BIT_MIME);
        } finally {
            eightBit.release();
        }
    }

    @Test
    void carriesEnvidAndOrcptDecodedFromXtext() throws Exception {
        MailParameters withEnvid =
                new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, null, "QQ314159+2Bx", null);
        RcptParameters withOrcpt = new RcptParameters(java.util.Set.of(), "rfc822;Rcpt+2Bext@example.net");
        Envelope envelope = envelope(withEnvid, rcpt("rcpt@example.net", withOrcpt));

        Dsn dsn = failure(envelope, refused(0));

        List<InternetHeaders> groups =
                statusGroups(((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(1));
        assertThat(field(groups.get(0), "Original-Envelope-Id")).isEqualTo("QQ314159+x");
        assertThat(field(groups.get(1), "Original-Recipient")).isEqualTo("rfc822; Rcpt+ext@example.net");
    }

    @Test
    void delayReportSaysDelayedAndUntilWhen() throws Exception {
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));
        Dsn dsn =
                builder.build(report(Bouncer.Kind.DELAY, envelope, local(0, "4.4.1", "connection refused")), original);

        assertWellFormedLines(dsn.content());
        MimeMessage message = parse(dsn.content());
        assertThat(message.getSubject()).isEqualTo("Delayed Mail (still being retried)");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(text(parts.getBodyPart(0)).replace("\r\n", " ")).contains("until Wed, 5 Mar 2025 09:30:00 +0000");
        InternetHeaders perRecipient = statusGroups(parts.getBodyPart(1)).get(1);
        assertThat(field(perRecipient, "Action")).isEqualTo("delayed");
        assertThat(field(perRecipient, "Status")).isEqualTo("4.4.1");
        assertThat(field(perRecipient, "Will-Retry-Until")).isEqualTo("Wed, 5 Mar 2025 09:30:00 +0000");
        // A local reason (no remote reply) is labelled with our own diagnostic type.
        assertThat(field(perRecipient, "Diagnostic-Code")).isEqualTo("X-Tern; connection refused");
        assertThat(field(perRecipient, "Remote-MTA")).isNull();
    }

    @Test
    void listsOnlyTheRecipientsThatAskedForTheReport() throws Exception {
        Envelope envelope = envelope(
                MailParameters.NONE,
                rcpt("quiet@example.net", new RcptParameters(java.util.Set.of(Notify.NEVER), null)),
                rcpt("loud@example.net", RcptParameters.NONE));

        Dsn dsn = failure(envelope, refused(0), refused(1));

        List<InternetHeaders> groups =
                statusGroups(((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(1));
        assertThat(groups).hasSize(2);
        assertThat(field(groups.get(1), "Final-Recipient")).isEqualTo("rfc822; loud@example.net");
    }

    @Test
    void wrapsLongDiagnosticsWithinLineLimits() throws Exception {
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));
        String words = "word ".repeat(400).strip();
        String longWord = "x".repeat(2500);
        Dsn dsn = failure(envelope, local(0, "5.0.0", words + " " + longWord));

        assertWellFormedLines(dsn.content());
        InternetHeaders perRecipient = statusGroups(
                        ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(1))
                .get(1);
        String diagnostic = field(perRecipient, "Diagnostic-Code");
        assertThat(diagnostic).startsWith("X-Tern; " + words + " ");
        assertThat(diagnostic.replace(" ", "")).endsWith(longWord);
    }

    @Test
    void foldsOverlongHeaderLinesOfTheOriginal() throws Exception {
        ByteBuf longHeader = Unpooled.copiedBuffer(
                "Subject: " + "y".repeat(1500) + "\r\nFrom: a@example.org\r\n\r\nbody\r\n", StandardCharsets.UTF_8);
        try {
            Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", RcptParameters.NONE));

            Dsn dsn = failure(envelope, longHeader, refused(0));

            assertWellFormedLines(dsn.content());
            BodyPart returned = ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(2);
            assertThat(text(returned)).contains("From: a@example.org");
        } finally {
            longHeader.release();
        }
    }

    @Test
    void fallsBackToHeadersWhenTheFullMessageHasOverlongLines() throws Exception {
        ByteBuf binary =
                Unpooled.copiedBuffer("Subject: s\r\n\r\n" + "z".repeat(2000) + "\r\n", StandardCharsets.UTF_8);
        try {
            MailParameters full =
                    new MailParameters(-1, MailParameters.Body.BINARY_MIME, false, MailParameters.Ret.FULL, null, null);
            Envelope envelope = envelope(full, rcpt("rcpt@example.net", RcptParameters.NONE));

            Dsn dsn = failure(envelope, binary, refused(0));

            assertWellFormedLines(dsn.content());
            BodyPart returned = ((MimeMultipart) parse(dsn.content()).getContent()).getBodyPart(2);
            assertThat(returned.isMimeType("text/rfc822-headers")).isTrue();
        } finally {
            binary.release();
        }
    }
}

package dev.tern.relay.dsn;

import static dev.tern.relay.dsn.DsnFixtures.assertWellFormedLines;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Delivery status notifications built from arbitrary original messages and hostile diagnostics (a
 * remote server's reply text, a mail exchanger's name): the report is well-formed (every line ends with
 * CRLF and holds at most 998 octets), parses as a multipart/report, and the original is left as it was.
 */
class DsnBuilderFuzzTest {

    static final DsnBuilder BUILDER =
            new DsnBuilder("mx.tern.test", Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC));

    @FuzzTest(maxDuration = "30s")
    void buildsAWellFormedReport(FuzzedDataProvider data) throws MessagingException, IOException {
        Bouncer.Kind kind = data.pickValue(Bouncer.Kind.values());
        MailParameters.Ret ret =
                data.pickValue(new MailParameters.Ret[] {null, MailParameters.Ret.FULL, MailParameters.Ret.HDRS});
        String replyText = data.consumeString(300);
        String diagnostic = data.consumeString(300);
        String remoteMta = data.consumeBoolean() ? data.consumeString(80) : null;
        byte[] message = data.consumeRemainingAsBytes();
        LastAttempt last;
        try {
            SmtpReply reply = new SmtpReply(550, "5.1.1", replyText);
            last = new LastAttempt(
                    DsnFixtures.ATTEMPT.toEpochMilli(), reply.status(), reply, remoteMta, diagnostic, false);
        } catch (IllegalArgumentException e) {
            // Values Tern never holds (a reply with a line break, a host name that is no name): a local one instead.
            last = LastAttempt.local(DsnFixtures.ATTEMPT.toEpochMilli(), EnhancedStatus.parse("5.0.0"), diagnostic);
        }
        MailParameters parameters =
                new MailParameters(message.length, MailParameters.Body.EIGHT_BIT_MIME, false, ret, null, null);
        Bouncer.Report report = DsnFixtures.report(
                kind,
                DsnFixtures.envelope(parameters, DsnFixtures.rcpt("rcpt@example.net", RcptParameters.NONE)),
                new Bouncer.Recipient(0, last));
        ByteBuf original = Unpooled.wrappedBuffer(message);
        Dsn dsn = BUILDER.build(report, original);
        assertThat(original.readerIndex()).as("the original is only read").isZero();
        assertThat(original.refCnt()).isEqualTo(1);
        if (dsn == null) {
            return;
        }
        assertWellFormedLines(dsn.content());
        MimeMessage parsed = DsnFixtures.parse(dsn.content());
        assertThat(parsed.getContentType()).startsWith("multipart/report");
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getCount()).isBetween(2, 3);
        assertThat(DsnFixtures.statusGroups(parts.getBodyPart(1))).hasSize(2);
    }
}

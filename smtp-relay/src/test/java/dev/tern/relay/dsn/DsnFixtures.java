package dev.tern.relay.dsn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** Builds envelopes and reads reports back with Angus Mail, an independent MIME parser. */
final class DsnFixtures {
    static final String ORIGINAL = "From: sender@example.org\r\nTo: rcpt@example.net\r\nSubject: Hello there\r\n"
            + "Message-ID: <m1@example.org>\r\n\r\nThe body line one\r\nThe body line two\r\n";

    private DsnFixtures() {}

    /** When the recipients of these reports were last tried. */
    static final Instant ATTEMPT = Instant.parse("2025-03-01T09:59:00Z");

    static final QueueId ID = new QueueId("ABC123");
    static final Instant ARRIVAL = Instant.parse("2025-02-28T09:30:00Z");

    /** A recipient a remote server refused: {@code 550 5.1.1} from mx1.example.net. */
    static Bouncer.Recipient refused(int index) {
        SmtpReply reply = new SmtpReply(550, "5.1.1", "<rcpt@example.net>: no such user");
        return new Bouncer.Recipient(
                index,
                new LastAttempt(
                        ATTEMPT.toEpochMilli(),
                        reply.status(),
                        reply,
                        "mx1.example.net",
                        "550 <rcpt@example.net>: no such user",
                        false));
    }

    /** A recipient whose outcome no server gave (local delivery, DNS, no connection). */
    static Bouncer.Recipient local(int index, String status, String diagnostic) {
        return new Bouncer.Recipient(
                index, LastAttempt.local(ATTEMPT.toEpochMilli(), EnhancedStatus.parse(status), diagnostic));
    }

    static Bouncer.Report report(Bouncer.Kind kind, Envelope envelope, Bouncer.Recipient... recipients) {
        Instant until = kind == Bouncer.Kind.DELAY ? Instant.parse("2025-03-05T09:30:00Z") : null;
        return new Bouncer.Report(kind, ID, envelope, ARRIVAL, List.of(recipients), until);
    }

    static RcptTo rcpt(String address, RcptParameters parameters) {
        int at = address.lastIndexOf('@');
        return new RcptTo(new Mailbox(address.substring(0, at), address.substring(at + 1)), parameters);
    }

    static Envelope envelope(MailParameters parameters, RcptTo... recipients) {
        return new Envelope(new ReversePath(new Mailbox("sender", "example.org")), List.of(recipients), parameters);
    }

    static MimeMessage parse(byte[] content) throws MessagingException {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(content));
    }

    static String text(BodyPart part) throws IOException, MessagingException {
        return new String(part.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The delivery-status part as its field groups: per-message first, then one per recipient. */
    static List<InternetHeaders> statusGroups(BodyPart part) throws IOException, MessagingException {
        List<InternetHeaders> groups = new ArrayList<>();
        for (String block : text(part).split("\r\n\r\n")) {
            if (!block.isBlank()) {
                groups.add(new InternetHeaders(
                        new ByteArrayInputStream((block + "\r\n\r\n").getBytes(StandardCharsets.UTF_8))));
            }
        }
        return groups;
    }

    /** A field's value, unfolded (RFC 5322 2.2.3). */
    static String field(InternetHeaders headers, String name) {
        String value = headers.getHeader(name, null);
        return value == null ? null : MimeUtility.unfold(value).strip();
    }

    /** Every line ends with CRLF and none is longer than 998 octets (RFC 5322 2.1.1, 2.3). */
    static void assertWellFormedLines(byte[] content) {
        int lineStart = 0;
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                assertThat(i).as("LF at %d follows CR", i).isGreaterThan(0);
                assertThat(content[i - 1]).as("LF at %d follows CR", i).isEqualTo((byte) '\r');
                assertThat(i - 1 - lineStart).as("line at %d", lineStart).isLessThanOrEqualTo(998);
                lineStart = i + 1;
            } else if (content[i] == '\r') {
                assertThat(i + 1 < content.length && content[i + 1] == '\n')
                        .as("CR at %d is followed by LF", i)
                        .isTrue();
            }
        }
        assertThat(lineStart).as("ends with CRLF").isEqualTo(content.length);
    }
}

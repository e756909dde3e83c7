package dev.tern.relay.dsn;

import static dev.tern.relay.dsn.DsnFixtures.ORIGINAL;
import static dev.tern.relay.dsn.DsnFixtures.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.queue.Bouncer.Notification;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reports are queued past RCPT, so the bouncer rewrites an aliased sender as RCPT would. */
class DsnBouncerTest {
    private static final LocalMailboxes MAILBOXES = new LocalMailboxes(
            List.of("local.test"),
            List.of("alice@local.test"),
            Map.of("bob", "bob@elsewhere.test"),
            "+",
            "",
            "mx.tern.test");

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                          | sender               | report goes to        | its ORCPT
            an alias that forwards          | bob@local.test       | bob@elsewhere.test    | rfc822;bob@local.test
            an alias with an extension      | bob+x@local.test     | bob@elsewhere.test    | rfc822;bob+2Bx@local.test
            a local mailbox                 | alice@local.test     | alice@local.test      | ''
            a sender elsewhere              | carol@remote.test    | carol@remote.test     | ''
            """)
    void sendsTheReportWhereTheSendersAddressLeads(String what, String sender, String to, String orcpt) {
        DsnBouncer bouncer =
                new DsnBouncer(new DsnBuilder("mx.tern.test", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC)), MAILBOXES);
        int at = sender.lastIndexOf('@');
        Envelope envelope = new Envelope(
                new ReversePath(new Mailbox(sender.substring(0, at), sender.substring(at + 1))),
                List.of(rcpt("rcpt@example.net", RcptParameters.NONE)),
                MailParameters.NONE);
        ByteBuf original = Unpooled.copiedBuffer(ORIGINAL, StandardCharsets.UTF_8);
        try {
            Notification report = bouncer.report(
                            DsnFixtures.report(Bouncer.Kind.FAILURE, envelope, DsnFixtures.refused(0)), original)
                    .orElseThrow();
            report.content().release();

            assertThat(report.envelope().reversePath().isNull()).isTrue();
            assertThat(report.envelope().recipients()).singleElement().satisfies(r -> {
                assertThat(r.mailbox().address()).as(what).isEqualTo(to);
                assertThat(r.parameters().orcpt()).as(what).isEqualTo(orcpt.isEmpty() ? null : orcpt);
            });
        } finally {
            original.release();
        }
    }
}

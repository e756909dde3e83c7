package dev.tern.relay.dsn;

import static dev.tern.relay.dsn.DsnFixtures.ORIGINAL;
import static dev.tern.relay.dsn.DsnFixtures.envelope;
import static dev.tern.relay.dsn.DsnFixtures.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptParameters.Notify;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 3461 4.1 and 5.2: which NOTIFY values produce which reports. */
class DsnNotifyTest {

    @ParameterizedTest(name = "NOTIFY={0} {1} next hop DSN {2} -> {3}")
    @CsvSource({
        // absent: failures and delays are reported, successes are not (RFC 3461 5.2.3 c)
        "'',             FAILURE, false, true",
        "'',             DELAY,   false, true",
        "'',             SUCCESS, false, false",
        // NEVER: nothing at all (RFC 3461 5.2.6 b)
        "NEVER,          FAILURE, false, false",
        "NEVER,          DELAY,   false, false",
        "NEVER,          SUCCESS, false, false",
        // SUCCESS only: neither failures nor delays
        "SUCCESS,        FAILURE, false, false",
        "SUCCESS,        DELAY,   false, false",
        "SUCCESS,        SUCCESS, false, true",
        // ... unless the next hop announced DSN: it got NOTIFY=SUCCESS and reports itself (RFC 3461 5.2.1)
        "SUCCESS,        SUCCESS, true,  false",
        // FAILURE only: no delay warnings
        "FAILURE,        FAILURE, false, true",
        "FAILURE,        DELAY,   false, false",
        "FAILURE,        SUCCESS, false, false",
        // DELAY only: no failure report
        "DELAY,          FAILURE, false, false",
        "DELAY,          DELAY,   false, true",
        // all three
        "SUCCESS FAILURE DELAY, FAILURE, false, true",
        "SUCCESS FAILURE DELAY, DELAY,   false, true",
        "SUCCESS FAILURE DELAY, SUCCESS, false, true",
    })
    void reportsOnlyWhatNotifyAsksFor(String notify, Bouncer.Kind kind, boolean nextHopDsn, boolean expected) {
        Set<Notify> on = EnumSet.noneOf(Notify.class);
        for (String word : notify.split(" ")) {
            if (!word.isBlank()) {
                on.add(Notify.valueOf(word));
            }
        }
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", new RcptParameters(on, null)));
        DsnBuilder builder = new DsnBuilder("mx.tern.test", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        SmtpReply reply = kind == Bouncer.Kind.SUCCESS
                ? new SmtpReply(250, "2.0.0", "ok")
                : new SmtpReply(550, "5.1.1", "no such user");
        Bouncer.Recipient recipient =
                new Bouncer.Recipient(0, new LastAttempt(1, reply.status(), reply, "mx.example.net", "x", nextHopDsn));
        ByteBuf original = Unpooled.copiedBuffer(ORIGINAL, StandardCharsets.UTF_8);
        try {
            Dsn dsn = builder.build(DsnFixtures.report(kind, envelope, recipient), original);
            assertThat(dsn != null).isEqualTo(expected);
        } finally {
            original.release();
        }
    }
}

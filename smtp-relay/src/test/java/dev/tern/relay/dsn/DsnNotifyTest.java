package dev.tern.relay.dsn;

import static dev.tern.relay.dsn.DsnFixtures.ORIGINAL;
import static dev.tern.relay.dsn.DsnFixtures.envelope;
import static dev.tern.relay.dsn.DsnFixtures.rcpt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptParameters.Notify;
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

/** RFC 3461 4.1: which NOTIFY values produce which reports. */
class DsnNotifyTest {

    @ParameterizedTest(name = "NOTIFY={0} {1} -> {2}")
    @CsvSource({
        // absent: failures and delays are reported
        "'',             FAILURE, true",
        "'',             DELAY,   true",
        // NEVER: nothing at all
        "NEVER,          FAILURE, false",
        "NEVER,          DELAY,   false",
        // SUCCESS only: neither failures nor delays
        "SUCCESS,        FAILURE, false",
        "SUCCESS,        DELAY,   false",
        // FAILURE only: no delay warnings
        "FAILURE,        FAILURE, true",
        "FAILURE,        DELAY,   false",
        // DELAY only: no failure report
        "DELAY,          FAILURE, false",
        "DELAY,          DELAY,   true",
        // both
        "FAILURE DELAY,  FAILURE, true",
        "FAILURE DELAY,  DELAY,   true",
    })
    void reportsOnlyWhatNotifyAsksFor(String notify, ReportKind kind, boolean expected) {
        Set<Notify> on = EnumSet.noneOf(Notify.class);
        for (String word : notify.split(" ")) {
            if (!word.isBlank()) {
                on.add(Notify.valueOf(word));
            }
        }
        Envelope envelope = envelope(MailParameters.NONE, rcpt("rcpt@example.net", new RcptParameters(on, null)));
        DsnBuilder builder = new DsnBuilder("mx.tern.test", Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
        Bouncer.Kind report = kind == ReportKind.FAILURE ? Bouncer.Kind.FAILURE : Bouncer.Kind.DELAY;
        ByteBuf original = Unpooled.copiedBuffer(ORIGINAL, StandardCharsets.UTF_8);
        try {
            Dsn dsn = builder.build(DsnFixtures.report(report, envelope, DsnFixtures.refused(0)), original);
            assertThat(dsn != null).isEqualTo(expected);
        } finally {
            original.release();
        }
    }
}

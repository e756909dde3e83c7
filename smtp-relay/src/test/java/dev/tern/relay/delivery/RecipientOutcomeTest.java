package dev.tern.relay.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What a remote reply means for a recipient, and what of it is kept for the report. */
class RecipientOutcomeTest {

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            textBlock =
                    """
            # code | enhanced | text                 | status     | reported status
            # the remote's own enhanced code is the one reported (RFC 3464 2.3.4)
            550    | 5.1.1    | no such user         | PERMANENT  | 5.1.1
            550    | 5.7.1    | relaying denied      | PERMANENT  | 5.7.1
            # without one, only the class is known (RFC 3463 X.0.0)
            554    | null     | go away              | PERMANENT  | 5.0.0
            451    | 4.3.0    | try again later      | TEMPORARY  | 4.3.0
            421    | null     | closing              | TEMPORARY  | 4.0.0
            250    | 2.6.0    | queued               | DELIVERED  | 2.6.0
            250    | null     | ok                   | DELIVERED  | 2.0.0
            """)
    void keepsTheReplyAndItsEnhancedCode(
            int code, String enhanced, String text, DeliveryStatus status, String reported) {
        SmtpReply reply = new SmtpReply(code, enhanced == null ? null : EnhancedStatus.parse(enhanced), List.of(text));

        RecipientOutcome outcome = RecipientOutcome.fromReply(3, reply, "mx.example.net", true);

        assertThat(outcome.recipientIndex()).isEqualTo(3);
        assertThat(outcome.status()).isEqualTo(status);
        assertThat(outcome.enhancedStatus()).hasToString(reported);
        assertThat(outcome.remoteReply()).isSameAs(reply);
        assertThat(outcome.remoteMta()).isEqualTo("mx.example.net");
        assertThat(outcome.remoteDsn()).isTrue();
        assertThat(outcome.diagnostic()).isEqualTo(code + " " + text);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // no reply stands behind these: nothing to transcribe, and no next hop that took DSN parameters
        "local",
        "dns",
    })
    void anOutcomeWithoutAReplyHasNoneAndNoNextHopDsn(String why) {
        RecipientOutcome outcome = RecipientOutcome.temporary(0, "4.4.3", why, null);

        assertThat(outcome.remoteReply()).isNull();
        assertThat(outcome.remoteDsn()).isFalse();
    }

    /**
     * A server that answers with 100 lines of 4,000 characters: what is kept for the queue, the spool and the report
     * is 2,048 characters of it, as Postfix keeps, not 400 KB per recipient.
     */
    @org.junit.jupiter.api.Test
    void keepsABoundedShareOfAHugeReply() {
        List<String> lines = java.util.Collections.nCopies(100, "x".repeat(4_000));
        SmtpReply reply = new SmtpReply(451, EnhancedStatus.parse("4.3.0"), lines);

        RecipientOutcome outcome = RecipientOutcome.fromReply(0, reply, "mx.example.net", false);

        assertThat(outcome.diagnostic()).hasSize(SmtpReply.MAX_KEPT_TEXT).startsWith("451 xxx");
        assertThat(outcome.remoteReply().lines()).singleElement().asString().hasSize(SmtpReply.MAX_KEPT_TEXT);
        assertThat(outcome.remoteReply().status()).hasToString("4.3.0");
        assertThat(outcome.status()).isEqualTo(DeliveryStatus.TEMPORARY);
    }
}

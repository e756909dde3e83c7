package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.List;

/**
 * The outcome of each recipient of one transaction, filled in as the replies come (RFC 5321 3.3): a
 * refused RCPT decides for its recipient at once; the accepted ones wait for the reply to DATA or to
 * the content, or are deferred when the connection breaks after the content went out. Every outcome
 * names the host and says whether it announced DSN, for the queue side's DSN.
 */
final class TransactionOutcomes {
    private static final EnhancedStatus TOO_MANY_RECIPIENTS = new EnhancedStatus(5, 5, 3);
    private static final EnhancedStatus TOO_MANY_RECIPIENTS_FOR_NOW = new EnhancedStatus(4, 5, 3);

    private final List<Integer> recipientIndexes;
    private final String remoteMta;
    /** RFC 3461 4: a server that announces DSN reports on what it accepted; one without it, not. */
    private final boolean remoteDsn;

    private final RecipientOutcome[] outcomes;
    private int accepted;

    /** @param recipientIndexes the request's recipients, in the order their RCPT commands go */
    TransactionOutcomes(List<Integer> recipientIndexes, String remoteMta, boolean remoteDsn) {
        this.recipientIndexes = recipientIndexes;
        this.remoteMta = remoteMta;
        this.remoteDsn = remoteDsn;
        this.outcomes = new RecipientOutcome[recipientIndexes.size()];
    }

    int size() {
        return outcomes.length;
    }

    /** How many recipients a RCPT reply accepted so far. */
    int accepted() {
        return accepted;
    }

    /**
     * The reply to the {@code i}th RCPT. RFC 5321 4.5.3.1.10: a {@code 552} for too many recipients (RFC 821's
     * code for what is {@code 452}) is taken as temporary, so those recipients go in a later transaction
     * instead of bouncing; only with the enhanced code that says so ({@code 5.5.3}, RFC 3463), since a 552 may
     * also mean a mailbox over its quota.
     */
    void rcptReplied(int i, SmtpReply reply) {
        if (reply.isPositive()) {
            accepted++;
            return;
        }
        RecipientOutcome outcome = RecipientOutcome.fromReply(recipientIndexes.get(i), reply, remoteMta, remoteDsn);
        if (reply.code() == 552 && TOO_MANY_RECIPIENTS.equals(reply.status())) {
            outcome = new RecipientOutcome(
                    outcome.recipientIndex(),
                    DeliveryStatus.TEMPORARY,
                    TOO_MANY_RECIPIENTS_FOR_NOW,
                    outcome.diagnostic(),
                    remoteMta,
                    reply,
                    remoteDsn);
        }
        outcomes[i] = outcome;
    }

    /** A refused MAIL decides for every recipient. */
    void mailRefused(int i, SmtpReply reply) {
        outcomes[i] = RecipientOutcome.fromReply(recipientIndexes.get(i), reply, remoteMta, remoteDsn);
    }

    /** Every recipient still without an outcome (the accepted ones) gets the outcome of {@code reply}. */
    void acceptedGet(SmtpReply reply) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = RecipientOutcome.fromReply(recipientIndexes.get(i), reply, remoteMta, remoteDsn);
            }
        }
    }

    /** Every recipient still without an outcome is deferred for {@code diagnostic}. */
    void acceptedDeferred(String enhanced, String diagnostic) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = RecipientOutcome.temporary(recipientIndexes.get(i), enhanced, diagnostic, remoteMta)
                        .withRemoteDsn(remoteDsn);
            }
        }
    }

    /** Every recipient fails for a reason found before anything was sent. */
    void allFail(String enhanced, String diagnostic) {
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = RecipientOutcome.permanent(recipientIndexes.get(i), enhanced, diagnostic, remoteMta)
                    .withRemoteDsn(remoteDsn);
        }
    }

    Completed completed() {
        return new Completed(List.of(outcomes));
    }
}

package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.SmtpReply;
import java.util.List;

/**
 * The outcome of each recipient of one transaction, filled in as the replies come (RFC 5321 3.3): a
 * refused RCPT decides for its recipient at once; the accepted ones wait for the reply to DATA or to
 * the content, or are deferred when the connection breaks after the content went out. Every outcome
 * names the host and says whether it announced DSN, for the queue side's DSN.
 */
final class TransactionOutcomes {
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

    /** The reply to the {@code i}th RCPT (or to a MAIL that was refused, which decides for all). */
    void rcptReplied(int i, SmtpReply reply) {
        if (reply.isPositive()) {
            accepted++;
        } else {
            outcomes[i] = RecipientOutcome.fromReply(recipientIndexes.get(i), reply, remoteMta, remoteDsn);
        }
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

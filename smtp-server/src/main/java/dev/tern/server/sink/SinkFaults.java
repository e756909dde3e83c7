package dev.tern.server.sink;

import dev.tern.smtp.SmtpReply;

/**
 * Which fault, if any, hits the next connection, transaction, RCPT or message: the sink's dice read
 * against the shares in its options. Every fault handed out is counted.
 */
final class SinkFaults {
    static final SmtpReply RCPT_TEMPFAIL = new SmtpReply(451, "4.3.0", "Temporary failure, try again later");
    static final SmtpReply RCPT_REJECT = new SmtpReply(550, "5.1.1", "No such user here");
    static final SmtpReply DATA_TEMPFAIL = new SmtpReply(451, "4.3.0", "Temporary failure, try again later");
    static final SmtpReply DATA_REJECT = new SmtpReply(554, "5.6.0", "Message refused");

    /** Where a transaction's connection is dropped. */
    enum Drop {
        NONE,
        AFTER_MAIL,
        /** When the message's first octets (or its end, if it has none) arrive. */
        IN_BODY
    }

    private final SinkOptions options;
    private final FaultDice dice;
    private final SinkCounts.Counters counters;

    SinkFaults(SinkOptions options, FaultDice dice, SinkCounts.Counters counters) {
        this.options = options;
        this.dice = dice;
        this.counters = counters;
    }

    /** The refusal instead of the greeting for the connection numbered {@code number} (from 1), or null. */
    SmtpReply greeting(long number) {
        if (number > options.greeting421()) {
            return null;
        }
        counters.fault(Fault.GREETING_421);
        return options.greetingReply();
    }

    /** Whether and where the transaction just begun is dropped: half right after MAIL, half in the message. */
    Drop transaction() {
        if (options.drop() == 0) {
            return Drop.NONE;
        }
        double roll = dice.percent(FaultDice.Kind.DROP);
        if (roll >= options.drop()) {
            return Drop.NONE;
        }
        counters.fault(Fault.DROP);
        return roll < options.drop() / 2 ? Drop.AFTER_MAIL : Drop.IN_BODY;
    }

    /** The refusal of the next RCPT, or null to accept it. */
    SmtpReply rcpt() {
        return refusal(
                FaultDice.Kind.RCPT,
                options.rcptTempfail(),
                options.rcptReject(),
                Fault.RCPT_TEMPFAIL,
                Fault.RCPT_REJECT,
                RCPT_TEMPFAIL,
                RCPT_REJECT);
    }

    /** The refusal of the message just received, or null to accept it. */
    SmtpReply message() {
        return refusal(
                FaultDice.Kind.DATA,
                options.dataTempfail(),
                options.dataReject(),
                Fault.DATA_TEMPFAIL,
                Fault.DATA_REJECT,
                DATA_TEMPFAIL,
                DATA_REJECT);
    }

    private SmtpReply refusal(
            FaultDice.Kind kind,
            double tempfailShare,
            double rejectShare,
            Fault tempfail,
            Fault reject,
            SmtpReply tempfailReply,
            SmtpReply rejectReply) {
        double roll = dice.percent(kind);
        if (roll < tempfailShare) {
            counters.fault(tempfail);
            return tempfailReply;
        }
        if (roll < tempfailShare + rejectShare) {
            counters.fault(reject);
            return rejectReply;
        }
        return null;
    }
}

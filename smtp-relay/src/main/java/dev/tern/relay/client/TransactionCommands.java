package dev.tern.relay.client;

import dev.tern.smtp.EhloReply;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.MessageOctets;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptParameters.Notify;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpVerb;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.StringJoiner;

/** Builds MAIL and RCPT with the ESMTP parameters the server announced. */
final class TransactionCommands {
    private TransactionCommands() {}

    /** True when the envelope cannot go without SMTPUTF8 (RFC 6531 3.4). */
    static boolean needsSmtpUtf8(Envelope envelope, List<Integer> recipientIndexes, ByteBuf content) {
        if (envelope.parameters().smtpUtf8()
                && MessageOctets.isEightBit(content, content.readerIndex(), MessageOctets.headerEnd(content))) {
            // Flagged by the sender and meant: UTF-8 in the header section. A flag on an all-ASCII message
            // is not passed on where it would make the message undeliverable (RFC 6531 3.2: not needed).
            return true;
        }
        if (!envelope.reversePath().isNull() && envelope.reversePath().mailbox().needsSmtpUtf8()) {
            return true;
        }
        for (int index : recipientIndexes) {
            if (envelope.recipients().get(index).mailbox().needsSmtpUtf8()) {
                return true;
            }
        }
        return false;
    }

    /** BINARYMIME needs BDAT (RFC 3030 3), so it is only passed along with CHUNKING. */
    static boolean useChunking(EhloReply ehlo) {
        return ehlo.supports("CHUNKING");
    }

    /**
     * MAIL FROM with the parameters {@code ehlo} allows; {@code eightBitContent}: the content holds octets over 127,
     * whatever its sender declared, and goes as {@code BODY=8BITMIME} to a server that announced it (RFC 6152 3).
     */
    static SmtpCommand mail(Envelope envelope, EhloReply ehlo, long size, boolean smtpUtf8, boolean eightBitContent) {
        MailParameters p = envelope.parameters();
        StringBuilder arg =
                new StringBuilder("FROM:").append(envelope.reversePath().toPathString());
        if (ehlo.supports("SIZE")) {
            arg.append(" SIZE=").append(size); // RFC 1870 6
        }
        if ((p.body() == MailParameters.Body.EIGHT_BIT_MIME || eightBitContent) && ehlo.supports("8BITMIME")) {
            arg.append(" BODY=8BITMIME"); // RFC 6152 3
        } else if (p.body() == MailParameters.Body.BINARY_MIME
                && ehlo.supports("BINARYMIME")
                && ehlo.supports("CHUNKING")) {
            arg.append(" BODY=BINARYMIME"); // RFC 3030 3
        }
        if (smtpUtf8) {
            arg.append(" SMTPUTF8"); // RFC 6531 3.4
        }
        if (p.requireTls()) {
            // RFC 8689 4.2.1: passed on; the connection was checked to offer it (ClientConnection).
            arg.append(" REQUIRETLS");
        }
        if (ehlo.supports("DSN")) {
            // RFC 3461 4.3, 4.4: pass the sender's DSN wishes on to a server that keeps them.
            if (p.ret() != null) {
                arg.append(" RET=").append(p.ret().name());
            }
            if (p.envId() != null) {
                // Held as the xtext the client sent: encoding it again would turn "+2B" into "+2B2B".
                arg.append(" ENVID=").append(p.envId());
            }
        }
        return SmtpCommand.of(SmtpVerb.MAIL, arg.toString());
    }

    static SmtpCommand rcpt(RcptTo rcpt, EhloReply ehlo) {
        StringBuilder arg =
                new StringBuilder("TO:<").append(rcpt.mailbox().address()).append('>');
        RcptParameters p = rcpt.parameters();
        if (ehlo.supports("DSN")) {
            if (!p.notifyOn().isEmpty()) {
                // RFC 3461 4.1: NEVER alone, else a comma list; the enum order keeps it stable.
                StringJoiner notify = new StringJoiner(",");
                for (Notify n : Notify.values()) {
                    if (p.notifyOn().contains(n)) {
                        notify.add(n.name());
                    }
                }
                arg.append(" NOTIFY=").append(notify);
            }
            if (p.orcpt() != null) {
                arg.append(" ORCPT=").append(p.orcpt()); // RFC 3461 4.2: already addr-type;xtext
            }
        }
        return SmtpCommand.of(SmtpVerb.RCPT, arg.toString());
    }

    static SmtpCommand bdatLast(int size) {
        return SmtpCommand.of(SmtpVerb.BDAT, size + " LAST"); // RFC 3030 2
    }
}

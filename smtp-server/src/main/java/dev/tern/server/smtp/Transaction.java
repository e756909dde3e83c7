package dev.tern.server.smtp;

import dev.tern.smtp.MailFrom;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.Mailbox;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction (RFC 5321 3.3): the reverse-path, the accepted recipients and the message
 * bytes received so far. Content past the size limit or the memory budget is dropped at once, but the
 * transaction keeps counting so the refusal is given after the whole message was read (RFC 1870 6.3).
 */
final class Transaction {
    final MailFrom mailFrom;
    final List<RcptTo> recipients = new ArrayList<>();
    /**
     * RCPT commands accepted, a recipient given twice counted twice (as Postfix's smtpd_recipient_limit counts
     * them): the limit bounds the commands, whatever the envelope keeps of them.
     */
    int accepted;
    /** The first accepted recipient as the client gave it, before an alias was rewritten: Received's "for". */
    Mailbox firstGiven;
    /** Recipients refused because {@link #recipients} was full. */
    int overshoot;

    /**
     * Data under this many octets is copied into a buffer of the transaction's own rather than kept as a slice of
     * what was read: a slice costs a component and keeps its whole read buffer alive, so a client sending its
     * message in tiny pieces (BDAT chunks of two octets, one line a packet) would make each octet cost a
     * hundred of memory that neither the size limit nor the memory budget counts.
     */
    static final int COPY_BELOW = 1024;
    /** The most one buffer of copied pieces grows to before the next is begun. */
    static final int COPIED_BUFFER = 16 * 1024;

    private final long maxSize;
    private final InflightBudget budget;
    private final InetAddress client;
    private CompositeByteBuf content;
    /** Copied pieces not yet in {@link #content}: written on until full, then added as one component. */
    private ByteBuf copied;

    private long size;
    private long reserved;
    private SmtpReply refusal;

    Transaction(MailFrom mailFrom, long maxSize, InflightBudget budget) {
        this(mailFrom, maxSize, budget, null);
    }

    /** @param client the address whose share of {@code budget} the message takes, or null for none (trusted) */
    Transaction(MailFrom mailFrom, long maxSize, InflightBudget budget, InetAddress client) {
        this.mailFrom = mailFrom;
        this.maxSize = maxSize;
        this.budget = budget;
        this.client = client;
    }

    /** Whether {@code mailbox} is a recipient already: the same local part, the domain in any case. */
    boolean has(Mailbox mailbox) {
        for (RcptTo r : recipients) {
            if (r.mailbox().localPart().equals(mailbox.localPart())
                    && r.mailbox().domainKey().equals(mailbox.domainKey())) {
                return true;
            }
        }
        return false;
    }

    /** Keeps a retained reference to {@code data} unless the message is already refused. */
    void append(ByteBuf data, ByteBufAllocator alloc) {
        int n = data.readableBytes();
        size += n;
        if (refusal != null || n == 0) {
            return;
        }
        if (size > maxSize) {
            refuse(SmtpReplies.MESSAGE_TOO_BIG);
            return;
        }
        if (!budget.tryReserve(client, n)) {
            refuse(SmtpReplies.INSUFFICIENT_STORAGE);
            return;
        }
        reserved += n;
        if (content == null) {
            content = alloc.compositeBuffer(Integer.MAX_VALUE);
        }
        if (n < COPY_BELOW || n < keptAlive(data) / 2) {
            if (copied != null && copied.maxWritableBytes() < n) {
                addCopied();
            }
            if (copied == null) {
                copied = alloc.buffer(n, Math.max(n, COPIED_BUFFER));
            }
            copied.writeBytes(data, data.readerIndex(), n);
        } else {
            addCopied();
            content.addComponent(true, data.retain());
        }
    }

    /** The octets a slice keeps alive: those of the buffer it was cut from (under any wrapper, a leak detector's). */
    private static int keptAlive(ByteBuf data) {
        int most = data.capacity();
        for (ByteBuf under = data.unwrap(); under != null; under = under.unwrap()) {
            most = Math.max(most, under.capacity());
        }
        return most;
    }

    private void addCopied() {
        if (copied != null) {
            content.addComponent(true, copied);
            copied = null;
        }
    }

    /** Refuses the message; what was kept is dropped now, what still comes is only counted. */
    void refuse(SmtpReply reply) {
        if (refusal == null) {
            refusal = reply;
        }
        releaseContent();
        // What was dropped is no longer held: other sessions may have the memory now, not after this client
        // has sent the rest of what will be refused anyway.
        budget.release(client, reserved);
        reserved = 0;
    }

    /** The reply that refuses the message, or null. */
    SmtpReply refusal() {
        return refusal;
    }

    long size() {
        return size;
    }

    /** Hands the content over (the caller releases it); the memory stays reserved until {@link #release}. */
    ByteBuf takeContent(ByteBufAllocator alloc) {
        if (content != null) {
            addCopied();
        }
        ByteBuf taken = content == null ? alloc.buffer(0) : content;
        content = null;
        return taken;
    }

    boolean smtpUtf8() {
        return mailFrom.parameters().smtpUtf8();
    }

    /** Releases the content still held and gives back the memory reserved for it. */
    void release() {
        releaseContent();
        budget.release(client, reserved);
        reserved = 0;
    }

    private void releaseContent() {
        if (copied != null) {
            copied.release();
            copied = null;
        }
        if (content != null) {
            content.release();
            content = null;
        }
    }
}

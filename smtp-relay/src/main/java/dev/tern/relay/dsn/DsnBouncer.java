package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.LocalMailboxes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Optional;

/**
 * The queue's {@link Bouncer}: RFC 3464 reports written by {@link DsnBuilder}. A report to a sender whose
 * address is a local alias goes where the alias leads, as mail from outside would: reports are queued
 * directly, past the RCPT that rewrites everything else.
 */
public final class DsnBouncer implements Bouncer {
    private final DsnBuilder builder;
    private final LocalMailboxes mailboxes;

    public DsnBouncer(DsnBuilder builder, LocalMailboxes mailboxes) {
        this.builder = builder;
        this.mailboxes = mailboxes;
    }

    @Override
    public Optional<Notification> report(Report report, ByteBuf original) {
        return wrap(builder.build(report, original));
    }

    private Optional<Notification> wrap(Dsn dsn) {
        if (dsn == null) {
            return Optional.empty();
        }
        Envelope e = dsn.envelope();
        List<RcptTo> to = e.recipients().stream().map(mailboxes::rewrite).toList();
        return Optional.of(new Notification(
                new Envelope(e.reversePath(), to, e.parameters()), Unpooled.wrappedBuffer(dsn.content())));
    }
}

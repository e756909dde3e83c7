package dev.tern.relay.queue;

import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.queue.MailQueue;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a delivery status notification about a spooled message: reads the original back (off the
 * queue's thread), lets a {@link Bouncer} write the report, and queues it like any other message, from
 * the null reverse-path (RFC 3464, RFC 5321 6.1).
 */
final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final Spool spool;
    private final Executor reader;
    private final MailQueue queue;

    Notifier(Spool spool, Executor reader, MailQueue queue) {
        this.spool = spool;
        this.reader = reader;
        this.queue = queue;
    }

    /** Completes once the report is queued, or once it is known that none is due or it could not be. */
    CompletionStage<Void> send(SpooledMessage about, Function<ByteBuf, Optional<Bouncer.Notification>> write) {
        var done = new CompletableFuture<Void>();
        reader.execute(() -> {
            Optional<Bouncer.Notification> report;
            ByteBuf original = null;
            try {
                original = spool.readContent(about);
                report = write.apply(original);
            } catch (IOException | RuntimeException e) {
                log.warn("id={} could not write a delivery status notification: {}", about.id(), e.toString());
                done.complete(null);
                return;
            } finally {
                if (original != null) {
                    original.release();
                }
            }
            if (report.isEmpty()) {
                done.complete(null);
                return;
            }
            queue.enqueue(report.get().envelope(), report.get().content()).whenComplete((id, e) -> {
                if (e != null) {
                    log.warn("id={} delivery status notification not queued: {}", about.id(), e.toString());
                } else {
                    log.info("id={} delivery status notification queued as id={}", about.id(), id);
                }
                done.complete(null);
            });
        });
        return done;
    }
}

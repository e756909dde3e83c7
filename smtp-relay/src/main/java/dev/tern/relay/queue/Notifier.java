package dev.tern.relay.queue;

import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * the null reverse-path (RFC 3464, RFC 5321 6.1). The report is signed first, as the mail of Tern's users
 * is (DKIM, when a key covers the reporting host's domain); a report whose signing fails goes out unsigned
 * rather than not at all.
 */
final class Notifier {
    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private final Spool spool;
    private final Executor reader;
    private final MailQueue queue;
    private final Signer signer;

    Notifier(Spool spool, Executor reader, MailQueue queue, Signer signer) {
        this.spool = spool;
        this.reader = reader;
        this.queue = queue;
        this.signer = signer;
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
            Bouncer.Notification n = report.get();
            signed(about, n.content())
                    .thenCompose(content -> queue.enqueue(n.envelope(), content))
                    .whenComplete((id, e) -> {
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

    /** {@code content} with its signature fields on top; the result owns {@code content}. */
    private CompletionStage<ByteBuf> signed(SpooledMessage about, ByteBuf content) {
        return signer.sign(content).handle((fields, e) -> {
            if (e != null) {
                log.warn("id={} delivery status notification not signed: {}", about.id(), e.toString());
                return content;
            }
            return fields.isEmpty()
                    ? content
                    : Unpooled.wrappedBuffer(Unpooled.copiedBuffer(fields, StandardCharsets.US_ASCII), content);
        });
    }
}

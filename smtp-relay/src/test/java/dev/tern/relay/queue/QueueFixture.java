package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpoolOptions;
import dev.tern.relay.spool.SpoolStorage;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Spools and schedulers for queue tests, on one {@link MutableClock} and one {@link ManualQueueExecutor};
 * content is read on the test's thread. Records every delivery request and every report asked for. A
 * JUnit extension: register it with {@code @RegisterExtension}; after each test it closes its spools
 * and deletes their directory.
 */
final class QueueFixture implements AfterEachCallback {
    final List<DeliveryRequest> requests = new CopyOnWriteArrayList<>();
    final List<Bouncer.Report> reports = new CopyOnWriteArrayList<>();

    /** The time the spool and the queue both read; it moves only with {@link ManualQueueExecutor#advance}. */
    final MutableClock clock;
    /** The queue's thread, run by the test. */
    final ManualQueueExecutor loop;

    private final List<Spool> spools = new ArrayList<>();
    private Path dir;

    QueueFixture(Instant start) {
        this.clock = new MutableClock(start);
        this.loop = new ManualQueueExecutor(clock);
    }

    /** Opens the test's spool, the same directory every time (a second open after a close is a restart). */
    Spool spool() throws Exception {
        return spool(SpoolStorage.files());
    }

    /** The test's spool on {@code storage} (a slow disk, say). */
    Spool spool(SpoolStorage storage) throws Exception {
        if (dir == null) {
            dir = Files.createTempDirectory("tern-queue-test");
        }
        Spool spool = Spool.open(dir, SpoolOptions.defaults().withClock(clock).withStorage(storage));
        spools.add(spool);
        return spool;
    }

    DeliveryScheduler scheduler(Spool spool, RetryPolicy policy, Deliverer deliverer) {
        return scheduler(spool, policy, new DeliveryLimits(10, 10), deliverer);
    }

    DeliveryScheduler scheduler(Spool spool, RetryPolicy policy, DeliveryLimits limits, Deliverer deliverer) {
        return scheduler(spool, policy, limits, deliverer, ShapingOptions.DEFAULT);
    }

    DeliveryScheduler scheduler(
            Spool spool, RetryPolicy policy, DeliveryLimits limits, Deliverer deliverer, ShapingOptions shaping) {
        return scheduler(spool, policy, limits, deliverer, shaping, loop);
    }

    /** A scheduler whose thread is {@code queueThread}: {@link #loop}, or something in front of it. */
    DeliveryScheduler scheduler(
            Spool spool,
            RetryPolicy policy,
            DeliveryLimits limits,
            Deliverer deliverer,
            ShapingOptions shaping,
            QueueExecutor queueThread) {
        Deliverer recording = (domain, r) -> {
            requests.add(r);
            return deliverer.deliver(domain, r);
        };
        DeliveryScheduler queue = new DeliveryScheduler(
                spool,
                recording,
                this::report,
                policy,
                limits,
                queueThread,
                Runnable::run,
                Signer.NONE,
                clock,
                shaping);
        queue.start();
        return queue;
    }

    /** A deliverer that delivers everything. */
    Deliverer delivering() {
        return (domain, r) -> all(r, QueueFixture::ok);
    }

    /** Records the report and returns a small one, as a real bouncer would when one is due. */
    private Optional<Bouncer.Notification> report(Bouncer.Report report, ByteBuf original) {
        reports.add(report);
        Envelope to = new Envelope(
                ReversePath.NULL,
                List.of(new RcptTo(report.envelope().reversePath().mailbox(), RcptParameters.NONE)),
                MailParameters.NONE);
        return Optional.of(new Bouncer.Notification(
                to, Unpooled.copiedBuffer("Subject: " + report.kind() + "\r\n\r\nx\r\n", StandardCharsets.US_ASCII)));
    }

    /** Spools a message through {@code queue} and runs the queue until it has taken it in. */
    QueueId enqueue(DeliveryScheduler queue, String from, String... to) throws Exception {
        return enqueue(queue, from, RcptParameters.NONE, to);
    }

    QueueId enqueue(DeliveryScheduler queue, String from, RcptParameters parameters, String... to) throws Exception {
        List<RcptTo> rcpts = new ArrayList<>();
        for (String t : to) {
            rcpts.add(new RcptTo(mailbox(t), parameters));
        }
        ReversePath path =
                from.equals("<>") ? ReversePath.NULL : new ReversePath(mailbox(from.substring(1, from.length() - 1)));
        ByteBuf content = Unpooled.copiedBuffer("Subject: t\r\n\r\nbody\r\n", StandardCharsets.US_ASCII);
        CompletableFuture<QueueId> id = queue.enqueue(new Envelope(path, rcpts, MailParameters.NONE), content)
                .toCompletableFuture();
        loop.runUntil(id::isDone);
        return id.get();
    }

    private static Mailbox mailbox(String address) {
        int at = address.indexOf('@');
        return new Mailbox(address.substring(0, at), address.substring(at + 1));
    }

    /** What the spool recorded for a recipient. */
    static RecipientState state(Spool spool, QueueId id, int recipient) {
        return spool.find(id).orElseThrow().states().get(recipient);
    }

    interface OutcomeMaker {
        RecipientOutcome make(int index, String host);
    }

    static CompletionStage<List<RecipientOutcome>> all(DeliveryRequest r, OutcomeMaker maker) {
        return CompletableFuture.completedFuture(
                r.recipientIndexes().stream().map(i -> maker.make(i, "mx.test")).toList());
    }

    static RecipientOutcome ok(int index, String host) {
        return RecipientOutcome.fromReply(index, new SmtpReply(250, "2.0.0", "ok"), host);
    }

    static RecipientOutcome busy(int index, String host) {
        return RecipientOutcome.fromReply(index, new SmtpReply(451, "4.3.0", "busy"), host);
    }

    static RecipientOutcome refused(int index, String host) {
        return RecipientOutcome.fromReply(index, new SmtpReply(550, "5.1.1", "no such user"), host);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (Spool spool : spools) {
            spool.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}

package dev.tern.relay.local;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.HeaderFields;
import dev.tern.smtp.address.LocalDestination;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers to local mailboxes in Maildir folders under {@code mailRoot}: {@code <domain>/<user>}.
 *
 * <p>The caller's thread only submits the work; every file operation runs on the blocking executor.
 * Each recipient gets its own outcome. One copy is stored per distinct address delivered to, as Postfix's
 * local delivery does: the address after aliases, its extension kept, compared in lower case (as
 * {@link LocalMailboxes} matches addresses); each copy's {@code Delivered-To} names it. So {@code u+tag} and {@code u} are two
 * copies in {@code u}'s folder, while {@code u}, {@code U} and an alias of {@code u} are one.
 */
public final class MaildirDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(MaildirDelivery.class);

    private final Path mailRoot;
    private final LocalMailboxes mailboxes;
    private final Executor blockingExecutor;
    private final MaildirWriter writer;

    public MaildirDelivery(
            Path mailRoot, LocalMailboxes mailboxes, Executor blockingExecutor, String hostname, Clock clock) {
        this.mailRoot = Objects.requireNonNull(mailRoot, "mailRoot");
        this.mailboxes = Objects.requireNonNull(mailboxes, "mailboxes");
        this.blockingExecutor = Objects.requireNonNull(blockingExecutor, "blockingExecutor");
        this.writer = MaildirWriter.forHost(hostname, clock);
    }

    /**
     * Delivers to the request's recipients (all in local domains); never blocks the caller. The
     * stage always completes normally, with one outcome per requested recipient, in request order.
     * The request's content is read, never released or moved.
     */
    public CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request) {
        try {
            return CompletableFuture.supplyAsync(() -> deliverNow(request), blockingExecutor);
        } catch (RejectedExecutionException e) {
            // A full pool is back-pressure, not a verdict on the mail: try again later.
            List<RecipientOutcome> busy = new ArrayList<>();
            for (int index : request.recipientIndexes()) {
                busy.add(RecipientOutcome.temporary(index, "4.3.0", "local delivery is busy", null));
            }
            return CompletableFuture.completedFuture(List.copyOf(busy));
        }
    }

    private List<RecipientOutcome> deliverNow(DeliveryRequest request) {
        Map<String, RecipientOutcome> byAddress = new HashMap<>();
        List<RecipientOutcome> outcomes = new ArrayList<>();
        for (int index : request.recipientIndexes()) {
            Mailbox recipient = request.envelope().recipients().get(index).mailbox();
            outcomes.add(deliverOne(request, index, recipient, byAddress));
        }
        return List.copyOf(outcomes);
    }

    private RecipientOutcome deliverOne(
            DeliveryRequest request, int index, Mailbox recipient, Map<String, RecipientOutcome> byAddress) {
        LocalDestination destination = mailboxes.resolve(recipient);
        Mailbox addressed = recipient;
        if (destination instanceof LocalDestination.Rewrite r) {
            // An alias the inbound side did not rewrite (queued before it did, or our own report to a sender).
            addressed = r.target();
            destination = mailboxes.resolve(addressed);
        }
        if (destination instanceof LocalDestination.NotLocal && addressed == recipient) {
            // Routing sent us a domain that is not (or no longer) local: a configuration matter, not the sender's.
            return RecipientOutcome.temporary(index, "4.3.5", "domain is not local: " + recipient.domain(), null);
        }
        if (destination instanceof LocalDestination.UnusableName) {
            // RFC 3463 X.1.3: a local part we cannot turn into a folder name is a bad mailbox address. RCPT
            // refuses these; a message queued before that still must not reach the file system with one.
            return RecipientOutcome.permanent(index, "5.1.3", "local part not usable as a mailbox name", null);
        }
        if (!(destination instanceof LocalDestination.Folder(Mailbox folder))) {
            return destination == LocalDestination.NO_SUCH_USER
                    // RFC 3463 X.1.1: bad destination mailbox address.
                    ? RecipientOutcome.permanent(index, "5.1.1", "no such mailbox here: " + recipient.address(), null)
                    // An alias that forwards elsewhere: local delivery cannot follow it (RFC 3463 X.3.5).
                    : RecipientOutcome.permanent(index, "5.3.5", "alias points outside the local domains", null);
        }
        String deliveredTo = addressed.address().toLowerCase(Locale.ROOT);
        RecipientOutcome earlier = byAddress.get(deliveredTo);
        if (earlier != null) {
            // The same address twice in one transaction (an alias and its target, or different case): one copy.
            return new RecipientOutcome(
                    index, earlier.status(), earlier.enhancedStatus(), earlier.diagnostic(), earlier.remoteMta());
        }
        RecipientOutcome outcome = write(request, index, folder, deliveredTo);
        byAddress.put(deliveredTo, outcome);
        return outcome;
    }

    /**
     * Writes into {@code folder}'s Maildir; Delivered-To names {@code deliveredTo}, the address that led there
     * (in lower case, extension kept). Return-Path holds the envelope's reverse-path; the message's own
     * Return-Path fields are left out.
     */
    private RecipientOutcome write(DeliveryRequest request, int index, Mailbox folder, String deliveredTo) {
        Path dir = mailRoot.resolve(folder.domain()).resolve(folder.localPart());
        // LF line ends, like the message after it (LfLineEnds).
        if (HeaderFields.deliveredTo(request.content(), deliveredTo)) {
            // Delivered here before and back again: a forwarding loop somewhere outside (Postfix's local
            // delivery refuses it the same way); bounced, not stored again and again.
            LOG.info("{}: not delivered to {}: the message was delivered there before", request.id(), deliveredTo);
            return RecipientOutcome.permanent(index, "5.4.6", "mail forwarding loop for " + deliveredTo, null);
        }
        byte[] prefix = ("Return-Path: " + request.envelope().reversePath().toPathString() + "\n" + "Delivered-To: "
                        + deliveredTo + "\n")
                .getBytes(StandardCharsets.UTF_8);
        try {
            Path file = writer.write(dir, prefix, HeaderFields.withoutReturnPath(request.content()));
            LOG.debug("{}: delivered to {} as {}", request.id(), deliveredTo, file.getFileName());
            return RecipientOutcome.delivered(index, "delivered to maildir " + folder.address(), null);
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: maildir delivery to {} failed: {}", request.id(), folder.address(), e.toString());
            // The reason may end up in a DSN to a stranger: keep paths and exception text in our log only.
            return RecipientOutcome.temporary(index, diskStatus(e), "cannot write to the mailbox", null);
        }
    }

    /**
     * The enhanced status for a disk error (RFC 3463 3.3, 3.4): X.2.2 for a user's quota, X.3.1 for a
     * full file system, X.3.0 for anything else. Java only carries errno as strerror text, so match that.
     */
    static String diskStatus(Exception e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Disk quota exceeded")) {
            return "4.2.2";
        }
        if (message.contains("No space left on device")) {
            return "4.3.1";
        }
        return "4.3.0";
    }
}

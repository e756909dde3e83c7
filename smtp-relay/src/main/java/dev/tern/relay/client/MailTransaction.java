package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.smtp.EhloReply;
import dev.tern.smtp.HeaderFields;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.MessageOctets;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.DotStuffing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One mail transaction on a ready session (RFC 5321 3.3) as a composition of replies: MAIL, one RCPT
 * per recipient, then DATA with dot-stuffed content or one {@code BDAT n LAST} (RFC 3030). With
 * PIPELINING the commands up to DATA are written as one group, flushed once, and their replies
 * combined when all are in (RFC 2920 3.1); without it, each command waits for the reply before it.
 * Each recipient gets the outcome of its own RCPT reply, or of the reply to the content when it was
 * accepted.
 */
final class MailTransaction {
    private final ClientSessionHandler session;
    private final SmtpClientOptions options;
    private final DeliveryRequest request;
    private final String remoteMta;
    private final EhloReply ehlo;
    private final ByteBufAllocator alloc;
    private final TransactionOutcomes outcomes;
    private final boolean chunking;

    /** The message as it goes: {@link #run()} makes it and releases it when the transaction is over. */
    private ByteBuf content;
    /** The content holds octets over 127 (or its sender declared 8BITMIME to a server that takes it). */
    private boolean eightBitContent;

    private boolean reusable = true;
    /** The reply to MAIL, once MAIL was sent. */
    private CompletableFuture<SmtpReply> mailReply;
    /** The content got a positive reply: the transaction is over and the server's state clear. */
    private boolean endedCleanly;

    MailTransaction(
            ClientSessionHandler session,
            SmtpClientOptions options,
            DeliveryRequest request,
            String remoteMta,
            EhloReply ehlo,
            ByteBufAllocator alloc) {
        this.session = session;
        this.options = options;
        this.request = request;
        this.remoteMta = remoteMta;
        this.ehlo = ehlo;
        this.alloc = alloc;
        this.outcomes = new TransactionOutcomes(request.recipientIndexes(), remoteMta, ehlo.supports("DSN"));
        this.chunking = TransactionCommands.useChunking(ehlo);
    }

    /** False when the connection must not carry another transaction. */
    boolean reusable() {
        return reusable && !session.isBroken();
    }

    /**
     * True when the server took the message with a positive reply to its content, which ends the mail
     * transaction and clears its state (RFC 5321 4.1.1.4): the next transaction needs no RSET first.
     */
    boolean endedCleanly() {
        return endedCleanly && !session.isBroken();
    }

    /**
     * True when MAIL went out but no reply to it came, or a 421 (RFC 5321 3.8): the server took nothing
     * of this transaction, whose recipients may go over another connection at once.
     */
    boolean unanswered() {
        CompletableFuture<SmtpReply> reply = mailReply;
        return reply != null
                && reply.isDone()
                && (reply.state() != CompletableFuture.State.SUCCESS || closing(reply.resultNow()));
    }

    /**
     * Runs the transaction; completes on the event loop, never exceptionally. The message goes with
     * its long lines folded ({@link LongLines}), so no peer receives a line RFC 5321 4.5.3.1.6 forbids,
     * except a BINARYMIME body, which has no lines (RFC 3030 3). 8-bit content goes as {@code BODY=8BITMIME}
     * to a server that announced it, declared so by its sender or not (RFC 6152 3: without the parameter
     * the content is taken for 7-bit, and a next hop without 8BITMIME would get it as it is); to a server
     * without 8BITMIME its 8-bit MIME parts go quoted-printable ({@link SevenBitMime}), converted before
     * any folding, since quoted-printable's soft breaks carry a line of any length unchanged.
     */
    CompletionStage<AttemptResult> run() {
        ByteBuf message = request.content();
        CompositeByteBuf kept = withoutReturnPath(message);
        if (kept == null) {
            prepare(message);
        } else {
            try {
                prepare(kept);
            } finally {
                kept.release();
            }
        }
        CompletionStage<AttemptResult> result;
        try {
            result = transact();
        } catch (RuntimeException e) {
            content.release();
            throw e;
        }
        return result.whenComplete((done, failure) -> content.release());
    }

    /**
     * The message without the Return-Path fields it came with (RFC 5321 4.4: a message-originating system should
     * not send one; the receiving server writes its own), as a buffer of its own to release; null when it has none,
     * the common case, which costs no buffer.
     */
    private CompositeByteBuf withoutReturnPath(ByteBuf message) {
        List<ByteBuf> parts = HeaderFields.withoutReturnPath(message);
        if (parts.size() == 1 && parts.getFirst().readableBytes() == message.readableBytes()) {
            return null; // none (a field that runs to the end leaves one shorter part)
        }
        CompositeByteBuf kept = alloc.compositeBuffer(parts.size());
        for (ByteBuf part : parts) {
            kept.addComponent(true, part.retain());
        }
        return kept;
    }

    /** Sets {@link #content} to {@code original} as this server is to get it. */
    private void prepare(ByteBuf original) {
        MailParameters.Body body = request.envelope().parameters().body();
        boolean binary = body == MailParameters.Body.BINARY_MIME;
        boolean eightBitPeer = ehlo.supports("8BITMIME");
        eightBitContent = !binary
                && (body == MailParameters.Body.EIGHT_BIT_MIME && eightBitPeer
                        || MessageOctets.isEightBit(original, original.readerIndex(), original.writerIndex()));
        if (binary) {
            content = original.retainedDuplicate();
        } else if (eightBitContent && !eightBitPeer) {
            // RFC 6152 3: no 8-bit data to a server that did not announce 8BITMIME; MIME parts are converted.
            ByteBuf converted = SevenBitMime.convert(original, alloc);
            try {
                content = LongLines.fold(converted, alloc);
            } finally {
                converted.release();
            }
        } else {
            content = LongLines.fold(original, alloc);
        }
    }

    private CompletionStage<AttemptResult> transact() {
        long size = content.readableBytes();
        if (ehlo.sizeLimit().isPresent() && size > ehlo.sizeLimit().getAsLong()) {
            // RFC 1870 6: the server told us in advance; sending would only waste both sides' time.
            return failAll(
                    "5.3.4",
                    "message size " + size + " exceeds the limit "
                            + ehlo.sizeLimit().getAsLong() + " announced by " + remoteMta);
        }
        boolean smtpUtf8 = TransactionCommands.needsSmtpUtf8(request.envelope(), request.recipientIndexes(), content);
        if (smtpUtf8 && !ehlo.supports("SMTPUTF8")) {
            // RFC 6531 3.5: no downgrade here; the message cannot go to this server as it is.
            return failAll("5.6.7", remoteMta + " does not support SMTPUTF8, which this message needs");
        }
        SmtpCommand mail = TransactionCommands.mail(request.envelope(), ehlo, size, smtpUtf8, eightBitContent);
        CompletionStage<AttemptResult> result = ehlo.supports("PIPELINING") ? pipelined(mail) : stepwise(mail);
        // Whatever broke before the content went out delivered nothing: another host may try at once.
        return result.exceptionally(this::hostBroken);
    }

    /** RFC 2920 3.1: MAIL, every RCPT and DATA in one write; the replies come back in that order. */
    private CompletionStage<AttemptResult> pipelined(SmtpCommand mail) {
        List<CompletableFuture<SmtpReply>> replies = new ArrayList<>();
        replies.add(sendMail(mail));
        for (int i = 0; i < outcomes.size(); i++) {
            replies.add(sendRcpt(i).toCompletableFuture());
        }
        if (!chunking) {
            replies.add(session.send(SmtpCommand.of(SmtpVerb.DATA, ""), options.dataInitTimeout())
                    .toCompletableFuture());
        }
        session.flush();
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .handle((all, failure) -> replies)
                .thenCompose(this::combine);
    }

    /** The replies of the pipelined group, once each has come or failed. */
    private CompletionStage<AttemptResult> combine(List<CompletableFuture<SmtpReply>> replies) {
        for (int i = 0; i < replies.size(); i++) {
            CompletableFuture<SmtpReply> reply = replies.get(i);
            if (reply.state() == CompletableFuture.State.SUCCESS && closing(reply.resultNow())) {
                return hostFailed(i == 0 ? "MAIL" : i <= outcomes.size() ? "RCPT" : "DATA", reply.resultNow());
            }
        }
        for (CompletableFuture<SmtpReply> reply : replies) {
            if (reply.state() != CompletableFuture.State.SUCCESS) {
                return CompletableFuture.failedFuture(reply.exceptionNow());
            }
        }
        // Decide only once every reply read with the group has been seen: a surplus one breaks the step.
        return session.inStep().thenCompose(inStep -> {
            SmtpReply mail = replies.get(0).resultNow();
            for (int i = 0; i < outcomes.size(); i++) {
                if (mail.isPositive()) {
                    outcomes.rcptReplied(i, replies.get(i + 1).resultNow());
                } else {
                    outcomes.mailRefused(i, mail);
                }
            }
            if (chunking) {
                return outcomes.accepted() == 0 ? completed() : content();
            }
            return dataReplied(replies.get(outcomes.size() + 1).resultNow());
        });
    }

    /** Without PIPELINING: one command, one reply (RFC 5321 4.3.2). */
    private CompletionStage<AttemptResult> stepwise(SmtpCommand mail) {
        CompletionStage<SmtpReply> reply = sendMail(mail);
        session.flush();
        return reply.thenCompose(mailReply -> {
            if (closing(mailReply)) {
                return hostFailed("MAIL", mailReply);
            }
            if (!mailReply.isPositive()) {
                outcomes.acceptedGet(mailReply); // RFC 5321 3.3: no recipient without a sender
                return completed();
            }
            return rcptFrom(0);
        });
    }

    private CompletionStage<AttemptResult> rcptFrom(int i) {
        if (i == outcomes.size()) {
            if (outcomes.accepted() == 0) {
                return completed();
            }
            if (chunking) {
                return content();
            }
            CompletionStage<SmtpReply> data =
                    session.send(SmtpCommand.of(SmtpVerb.DATA, ""), options.dataInitTimeout());
            session.flush();
            return data.thenCompose(this::dataReplied);
        }
        CompletionStage<SmtpReply> reply = sendRcpt(i);
        session.flush();
        return reply.thenCompose(rcptReply -> {
            if (closing(rcptReply)) {
                return hostFailed("RCPT", rcptReply);
            }
            outcomes.rcptReplied(i, rcptReply);
            return rcptFrom(i + 1);
        });
    }

    private CompletionStage<AttemptResult> dataReplied(SmtpReply reply) {
        if (closing(reply)) {
            return hostFailed("DATA", reply);
        }
        if (reply.code() != 354) {
            // Pipelined DATA after no accepted recipient gets 503/554 (RFC 2920 3.1): expected.
            outcomes.acceptedGet(reply);
            return completed();
        }
        if (outcomes.accepted() == 0) {
            // A server that says 354 with no recipient: do not send it anything to deliver. The
            // replies were in step (the pipelined group was checked); the refusals stand.
            reusable = false;
            session.close();
            return CompletableFuture.completedFuture(outcomes.completed());
        }
        return content();
    }

    /**
     * Sends the message and waits for the reply that decides for every accepted recipient. From here
     * on the server may have taken the message, so a failure defers the accepted recipients instead of
     * handing the message to another host (RFC 5321 6.1 prefers a duplicate to a loss).
     */
    private CompletionStage<AttemptResult> content() {
        CompletionStage<SmtpReply> end = chunking
                // RFC 3030 2: the octets go as they are, no dot-stuffing; one LAST chunk holds them all.
                ? session.sendContent(
                        TransactionCommands.bdatLast(content.readableBytes()),
                        content.retainedDuplicate(),
                        "BDAT LAST",
                        options.dataBlockTimeout(),
                        options.finalDotTimeout())
                : session.sendContent(
                        null,
                        DotStuffing.stuff(content, alloc),
                        "end of data",
                        options.dataBlockTimeout(),
                        options.finalDotTimeout());
        return end.handle((reply, failure) -> failure != null
                        ? CompletableFuture.completedFuture(maybeDelivered(failure))
                        : session.inStep().handle((inStep, outOfStep) -> ended(reply, outOfStep)))
                .thenCompose(result -> result);
    }

    /**
     * The reply to the end of the data decides. A positive one is the server's taking of the message (RFC 5321
     * 6.1) even when more was read with it, such as a 421 as the server closes (RFC 5321 3.8): the recipients
     * are delivered and only the connection goes, as Postfix acts on the reply to the dot when it reads it. A
     * refusal with more read after it may not be the dot's reply at all, so it defers rather than bounces.
     */
    private AttemptResult ended(SmtpReply reply, Throwable outOfStep) {
        if (outOfStep != null && !reply.isPositive()) {
            return maybeDelivered(outOfStep);
        }
        if (closing(reply)) {
            return closed("end of data", reply);
        }
        if (outOfStep != null) {
            reusable = false;
        }
        endedCleanly = outOfStep == null && reply.isPositive();
        outcomes.acceptedGet(reply);
        return outcomes.completed();
    }

    /** The connection broke, or went out of step, after the content was sent: the server may have the message. */
    private AttemptResult maybeDelivered(Throwable failure) {
        ConnectionBroken broken = ConnectionBroken.of(failure);
        reusable = false;
        outcomes.acceptedDeferred(
                broken.enhancedStatus(),
                broken.reason() + "; the message may have been delivered and may be delivered twice");
        return outcomes.completed();
    }

    private CompletableFuture<SmtpReply> sendMail(SmtpCommand mail) {
        mailReply = session.send(mail, options.commandTimeout()).toCompletableFuture();
        return mailReply;
    }

    private CompletionStage<SmtpReply> sendRcpt(int i) {
        return session.send(
                TransactionCommands.rcpt(request.envelope().recipients().get(recipientIndex(i)), ehlo),
                options.commandTimeout());
    }

    private CompletionStage<AttemptResult> failAll(String enhanced, String diagnostic) {
        outcomes.allFail(enhanced, diagnostic);
        return completed();
    }

    /**
     * No content was sent (or no recipient was accepted): a transaction that stays open on the server
     * is cleared by the RSET that starts the next use of this connection (RFC 5321 4.1.1.5). The
     * outcomes stand only if no surplus reply was read with the last one: a refusal out of step must
     * not bounce a recipient.
     */
    private CompletionStage<AttemptResult> completed() {
        return session.inStep().thenApply(inStep -> outcomes.completed());
    }

    /** RFC 5321 3.8: a 421 means the server is closing; nothing was delivered, another host may take it. */
    private static boolean closing(SmtpReply reply) {
        return reply.code() == 421;
    }

    private CompletionStage<AttemptResult> hostFailed(String step, SmtpReply reply) {
        return CompletableFuture.completedFuture(closed(step, reply));
    }

    private HostFailed closed(String step, SmtpReply reply) {
        reusable = false;
        session.close();
        return HostFailed.temporary(
                SessionSetup.temporaryStatus(reply, "4.4.0"), step + ": " + AttemptLog.reply(reply), remoteMta, reply);
    }

    private AttemptResult hostBroken(Throwable failure) {
        ConnectionBroken broken = ConnectionBroken.of(failure);
        reusable = false;
        session.close();
        return HostFailed.temporary(broken.enhancedStatus(), broken.reason(), remoteMta, null);
    }

    private int recipientIndex(int i) {
        return request.recipientIndexes().get(i);
    }
}

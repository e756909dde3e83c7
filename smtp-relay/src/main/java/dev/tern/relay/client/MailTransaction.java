package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.client.ClientSessionHandler.Broken;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.EhloReply;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.DotStuffing;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One mail transaction on a ready session (RFC 5321 3.3): MAIL, one RCPT per recipient, then DATA
 * with dot-stuffed content or one {@code BDAT n LAST} (RFC 3030). With PIPELINING the commands up to
 * DATA go in one write and the replies are read in order (RFC 2920 3.1). Each recipient gets the
 * outcome of its own RCPT reply, or of the reply to the content when it was accepted.
 */
final class MailTransaction implements ClientSessionHandler.Listener {

    private enum State {
        MAIL,
        RCPT,
        DATA,
        CONTENT,
        DONE
    }

    private final ClientSessionHandler handler;
    private final SmtpClientOptions options;
    private final DeliveryRequest request;
    private final String remoteMta;
    private final EhloReply ehlo;
    private final Channel channel;
    private final RecipientOutcome[] outcomes;
    private final boolean pipelining;
    private final boolean chunking;
    /** RFC 3461 5.2.1: a next hop with DSN got NOTIFY and ORCPT, and reports success itself. */
    private final boolean nextHopDsn;

    private final CompletableFuture<AttemptResult> result = new CompletableFuture<>();
    private State state = State.MAIL;
    private int rcptReplies;
    private int accepted;
    private SmtpReply mailRejection;
    private boolean reusable = true;

    MailTransaction(
            ClientSessionHandler handler,
            SmtpClientOptions options,
            DeliveryRequest request,
            String remoteMta,
            EhloReply ehlo,
            Channel channel) {
        this.handler = handler;
        this.options = options;
        this.request = request;
        this.remoteMta = remoteMta;
        this.ehlo = ehlo;
        this.channel = channel;
        this.outcomes = new RecipientOutcome[request.recipientIndexes().size()];
        this.pipelining = ehlo.supports("PIPELINING");
        this.chunking = TransactionCommands.useChunking(ehlo);
        this.nextHopDsn = ehlo.supports("DSN");
    }

    CompletableFuture<AttemptResult> result() {
        return result;
    }

    /** False when the connection must not carry another transaction. */
    boolean reusable() {
        return reusable && !handler.isBroken();
    }

    /** Checks what can be checked before sending, then sends MAIL (and more when pipelining). */
    void start() {
        long size = request.content().readableBytes();
        if (ehlo.sizeLimit().isPresent() && size > ehlo.sizeLimit().getAsLong()) {
            // RFC 1870 6: the server told us in advance; sending would only waste both sides' time.
            failAll(
                    "5.3.4",
                    "message size " + size + " exceeds the limit "
                            + ehlo.sizeLimit().getAsLong() + " announced by " + remoteMta);
            return;
        }
        boolean smtpUtf8 = TransactionCommands.needsSmtpUtf8(request.envelope(), request.recipientIndexes());
        if (smtpUtf8 && !ehlo.supports("SMTPUTF8")) {
            // RFC 6531 3.5: no downgrade here; the message cannot go to this server as it is.
            failAll("5.6.7", remoteMta + " does not support SMTPUTF8, which this message needs");
            return;
        }
        handler.send(TransactionCommands.mail(request.envelope(), ehlo, size, smtpUtf8), options.commandTimeout());
        if (pipelining) {
            for (int i = 0; i < outcomes.length; i++) {
                sendRcpt(i);
            }
            if (!chunking) {
                handler.send(SmtpCommand.of(SmtpVerb.DATA, ""), options.dataInitTimeout());
            }
        }
        handler.flush();
    }

    @Override
    public void onReply(SmtpReply reply) {
        if (reply.code() == 421) {
            // RFC 5321 3.8: the server is closing; nothing was delivered, another host may take it.
            hostFailed(HostFailed.temporary(SessionSetup.temporaryStatus(reply, "4.4.0"), state + ": " + reply));
            return;
        }
        switch (state) {
            case MAIL -> mail(reply);
            case RCPT -> rcpt(reply);
            case DATA -> data(reply);
            case CONTENT -> content(reply);
            case DONE -> hostFailed(HostFailed.temporary("4.4.0", "unexpected reply: " + reply));
        }
    }

    @Override
    public void onBroken(Broken broken) {
        reusable = false;
        if (state != State.CONTENT) {
            hostFailed(HostFailed.temporary("4.4.2", broken.reason()));
            return;
        }
        // The content went out: the server may have taken it, so do not rush it to another host;
        // the accepted recipients wait for the next attempt (RFC 5321 6.1 prefers a duplicate to a loss).
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = RecipientOutcome.temporary(recipientIndex(i), "4.4.2", broken.reason(), remoteMta);
            }
        }
        complete();
    }

    private void mail(SmtpReply reply) {
        state = State.RCPT;
        if (!reply.isPositive()) {
            mailRejection = reply;
        }
        if (pipelining) {
            return; // the RCPT replies are on their way
        }
        if (mailRejection != null) {
            finishWithoutContent();
        } else {
            sendRcpt(0);
            handler.flush();
        }
    }

    private void rcpt(SmtpReply reply) {
        int i = rcptReplies++;
        SmtpReply decisive = mailRejection != null ? mailRejection : reply;
        if (decisive.isPositive()) {
            accepted++;
        } else {
            outcomes[i] = RecipientOutcome.fromReply(recipientIndex(i), decisive, remoteMta, nextHopDsn);
        }
        if (rcptReplies < outcomes.length) {
            if (!pipelining && mailRejection == null) {
                sendRcpt(rcptReplies);
                handler.flush();
            }
            return;
        }
        if (chunking) {
            if (accepted == 0) {
                finishWithoutContent();
            } else {
                sendBdat();
            }
        } else if (pipelining) {
            state = State.DATA; // DATA was pipelined; its reply comes next
        } else if (accepted == 0) {
            finishWithoutContent();
        } else {
            state = State.DATA;
            handler.send(SmtpCommand.of(SmtpVerb.DATA, ""), options.dataInitTimeout());
            handler.flush();
        }
    }

    private void data(SmtpReply reply) {
        if (reply.code() != 354) {
            // Pipelined DATA after no accepted recipient gets 503/554 (RFC 2920 3.1): expected.
            acceptedGet(reply);
            complete();
            return;
        }
        if (accepted == 0) {
            // A server that says 354 with no recipient: do not send it anything to deliver.
            reusable = false;
            handler.close();
            complete();
            return;
        }
        state = State.CONTENT;
        ByteBuf stuffed = DotStuffing.stuff(request.content(), channel.alloc());
        handler.sendContent(null, stuffed, "end of data", options.dataBlockTimeout(), options.finalDotTimeout());
    }

    private void sendBdat() {
        state = State.CONTENT;
        // RFC 3030 2: the octets go as they are, no dot-stuffing; one LAST chunk holds them all.
        ByteBuf content = request.content();
        handler.sendContent(
                TransactionCommands.bdatLast(content.readableBytes()),
                content.retainedDuplicate(),
                "BDAT LAST",
                options.dataBlockTimeout(),
                options.finalDotTimeout());
    }

    private void content(SmtpReply reply) {
        acceptedGet(reply);
        complete();
    }

    /** Every recipient still without an outcome (the accepted ones) gets the outcome of {@code reply}. */
    private void acceptedGet(SmtpReply reply) {
        for (int i = 0; i < outcomes.length; i++) {
            if (outcomes[i] == null) {
                outcomes[i] = RecipientOutcome.fromReply(recipientIndex(i), reply, remoteMta, nextHopDsn);
            }
        }
    }

    private void sendRcpt(int i) {
        handler.send(
                TransactionCommands.rcpt(request.envelope().recipients().get(recipientIndex(i)), ehlo),
                options.commandTimeout());
    }

    /**
     * No recipient was accepted (or MAIL was refused): the transaction stays open on the server,
     * and the next use of this connection starts with RSET (RFC 5321 4.1.1.5).
     */
    private void finishWithoutContent() {
        if (mailRejection != null) {
            acceptedGet(mailRejection);
        }
        complete();
    }

    private void failAll(String enhanced, String diagnostic) {
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = RecipientOutcome.permanent(recipientIndex(i), enhanced, diagnostic, remoteMta);
        }
        complete();
    }

    private void hostFailed(HostFailed failure) {
        reusable = false;
        state = State.DONE;
        handler.close();
        result.complete(failure);
    }

    private void complete() {
        state = State.DONE;
        result.complete(new Completed(List.of(outcomes)));
    }

    private int recipientIndex(int i) {
        return request.recipientIndexes().get(i);
    }
}

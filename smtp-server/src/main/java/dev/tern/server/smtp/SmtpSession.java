package dev.tern.server.smtp;

import dev.tern.server.config.LimitsConfig;
import dev.tern.server.limit.ClientLimiter;
import dev.tern.server.metrics.SessionMetrics.Refusal;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpText;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.SmtpLineDecoder;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one connection, shared by the STARTTLS, AUTH and session handlers of its pipeline:
 * the client's HELO name, TLS and authentication, the transaction, and the error count. Only the
 * channel's event loop touches it (drain and close requests from other threads hop onto it).
 */
final class SmtpSession {
    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

    final String id;
    final Channel channel;
    final ListenerSettings settings;
    final SessionServices services;
    final SmtpLineDecoder lineDecoder;
    /** The other end of the TCP connection: the client itself, or a load balancer that relays it. */
    final InetSocketAddress peer;

    final long startNanos = System.nanoTime();

    SessionState state = SessionState.CONNECTED;
    String heloName;
    boolean esmtp;
    /** "TLSv1.3:TLS_AES_128_GCM_SHA256" once TLS is active, else null. */
    String tls;

    String authUser;
    Transaction transaction;
    /** Whether the queue counts this session's transaction as bringing a message it may wait for. */
    private boolean messageExpected;

    /** Error replies in this session, for its log line. */
    int errors;
    /**
     * Error replies since the last accepted message, which {@code limits.max-errors} and the tarpit judge: an
     * accepted message forgives the errors before it (as Postfix's smtpd does), so refused recipients of
     * one message do not count against the next.
     */
    int errorsSinceMessage;

    int messagesAccepted;
    /** NOOP, RSET, VRFY, EXPN and HELP since the last accepted message. */
    int junkCommands;
    /** The command awaiting its final reply, for metrics; null when none does. */
    SmtpVerb verb;
    /** That command's argument, for the log line of a refused MAIL or RCPT. */
    String argument = "";

    /** This client's rate limits; set by the connection limit handler once the client is known. */
    ClientLimiter.Client limits;

    private final HeldReplies held;
    private final Set<Refusal> logged = EnumSet.noneOf(Refusal.class);
    private Boolean trusted;

    /** Who the session is with, for every check and record: the peer, or the client a PROXY header names. */
    private InetSocketAddress client;

    private boolean busy;
    private boolean draining;
    private boolean closing;

    SmtpSession(
            String id, Channel channel, ListenerSettings settings, SessionServices services, SmtpLineDecoder decoder) {
        this.id = id;
        this.channel = channel;
        this.settings = settings;
        this.services = services;
        this.lineDecoder = decoder;
        this.peer = remoteOf(channel);
        this.client = peer;
        this.held = new HeldReplies(channel);
    }

    /** The client's address; a channel without one (in-memory, in tests) counts as loopback. */
    private static InetSocketAddress remoteOf(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress address
                ? address
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    InetAddress clientAddress() {
        return client.getAddress();
    }

    /**
     * Sets the client address. Only the head of the pipeline ({@link ClientAddressHandler}) calls it, before
     * the session becomes active, so that limits, policy, logs and trace fields all see one address.
     */
    void clientAddress(InetSocketAddress address) {
        client = address;
    }

    boolean tlsActive() {
        return tls != null;
    }

    boolean authenticated() {
        return authUser != null;
    }

    /**
     * Writes a reply (flushed when the read completes, which keeps PIPELINING replies in order and
     * batched, RFC 2920). Failure replies count towards the error limit; past it the session ends. A
     * command refused by a rate limit is not an error, but it is a junk command: a client that keeps
     * asking is counted as one that keeps its session open with NOOPs.
     */
    void reply(SmtpReply reply) {
        if (reply.code() >= 400 && reply.code() != 421 && LimitReplies.isThrottle(reply)) {
            replyToJunk(reply);
        } else {
            reply(reply, countsAsError(reply));
        }
    }

    /**
     * Replies to a command that does not bring mail nearer: NOOP, RSET, VRFY, EXPN, HELP, a second EHLO or
     * HELO, a command refused by a rate limit. Past {@code limits.max-junk-commands} of them since the
     * session's last accepted message, each counts as an error as well (Postfix's smtpd_junk_command_limit):
     * a client that only keeps its session open with them meets the tarpit and is closed at the error limit.
     */
    void replyToJunk(SmtpReply reply) {
        reply(reply, pastJunkLimit() || countsAsError(reply));
    }

    /**
     * Answers a BDAT chunk read and discarded because an earlier chunk failed its transaction (RFC 3030 2):
     * the client had sent it before it could know, so it is no error of its own; but it is a junk command.
     */
    void replyToDiscardedChunk(SmtpReply reply) {
        reply(reply, pastJunkLimit());
    }

    private boolean pastJunkLimit() {
        return ++junkCommands > settings.limits().maxJunkCommands() && !exempt();
    }

    /**
     * Replies {@code 452 4.5.3} to a recipient past {@code limits.max-recipients} (RFC 5321 4.5.3.1.10: the
     * client sends the rest later). Past {@code limits.max-recipient-overshoot} of them in one transaction,
     * each counts as an error as well (Postfix's smtpd_recipient_overshoot_limit).
     */
    void replyToOvershoot(Transaction t) {
        boolean past = ++t.overshoot > settings.limits().maxRecipientOvershoot() && !exempt();
        reply(SmtpReplies.TOO_MANY_RECIPIENTS, past);
    }

    private void reply(SmtpReply reply, boolean error) {
        if (closing) {
            return;
        }
        if (reply.code() >= 400 && (verb == SmtpVerb.MAIL || verb == SmtpVerb.RCPT)) {
            logRefusal(reply, error);
        }
        answered(reply.code());
        if (!error) {
            held.write(reply);
            return;
        }
        errors++;
        errorsSinceMessage++;
        LimitsConfig limits = settings.limits();
        if (errorsSinceMessage >= limits.maxErrors()) {
            held.write(reply);
            refused(Refusal.ERRORS);
            close(SmtpReplies.TOO_MANY_ERRORS);
        } else if (errorsSinceMessage > limits.errorDelayAfter()
                && !limits.errorDelay().isZero()
                && !exempt()) {
            // Past the soft limit each error costs the client time, not us (Postfix smtpd_soft_error_limit).
            lineDecoder.pause();
            held.hold(reply, limits.errorDelay(), this::resumeAfterHold);
        } else {
            held.write(reply);
        }
    }

    /**
     * A refused sender or recipient, with the address as the client wrote it, as Postfix's "NOQUEUE: reject"
     * line: an error at info, a request to come back later (a rate limit, a recipient past the limit) at debug.
     */
    private void logRefusal(SmtpReply reply, boolean error) {
        if (error ? log.isInfoEnabled() : log.isDebugEnabled()) {
            String line = "session={} client={} refused {} {}: {}";
            Object[] fields = {
                id, clientAddress().getHostAddress(), verb, SmtpText.printable(argument, false), reply.toString()
            };
            if (error) {
                log.info(line, fields);
            } else {
                log.debug(line, fields);
            }
        }
    }

    private void resumeAfterHold() {
        if (!closing && !busy && !closeIfDrainingAndIdle()) {
            lineDecoder.resume();
        }
    }

    /**
     * Counts a refusal by a limit or policy, and logs the first of each kind in this session (a client that
     * hammers a limit gets one log line, not thousands).
     */
    void refused(Refusal what) {
        services.metrics().refused(what);
        if (logged.add(what)) {
            log.info(
                    "session={} client={} refused: {}",
                    id,
                    clientAddress().getHostAddress(),
                    what.name().toLowerCase(Locale.ROOT));
        }
    }

    /** Whether the client is in a trusted network (decided once: the address does not change). */
    boolean trusted() {
        if (trusted == null) {
            trusted = services.recipientPolicy().isTrusted(clientAddress());
        }
        return trusted;
    }

    /** Exempt from the abuse limits: a trusted network, or an authenticated user when so configured. */
    boolean exempt() {
        return trusted() || (authenticated() && services.limiter().exemptsAuthenticated());
    }

    /** Counts the pending command once, by its final reply: 334 and 354 only ask for more (RFC 5321 4.2.1). */
    void answered(int code) {
        if (verb != null && (code < 300 || code >= 400)) {
            services.metrics().command(verb, code);
            verb = null;
        }
    }

    private static boolean countsAsError(SmtpReply reply) {
        return reply.code() >= 400 && !LimitReplies.isThrottle(reply);
    }

    /** Writes a final reply and closes the connection once it is sent. */
    void close(SmtpReply reply) {
        if (closing) {
            return;
        }
        closing = true;
        answered(reply.code());
        lineDecoder.pause();
        held.writeAndClose(reply);
    }

    /**
     * The client half-closed: it sends no more, but it may still read. The line decoder passes this on
     * only once everything sent before is answered (a message's {@code 250} after its flush included), so
     * the connection closes once those replies are out, with nothing more to say (Postfix logs such a
     * client as "lost connection" and closes too).
     */
    void inputEnded() {
        if (closing) {
            return;
        }
        closing = true;
        log.debug("session={} client closed its side", id);
        lineDecoder.pause();
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        if (tls != null && !tls.handshakeFuture().isDone()) {
            // Before its handshake nothing can be written (a write would wait for a handshake that cannot
            // come, holding the socket until the handshake timeout): there is nothing to say, so close.
            channel.close();
            return;
        }
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    boolean isClosing() {
        return closing;
    }

    /** Slow work (spool write, password check) is under way: read nothing more until it ends. */
    void beginAsync() {
        busy = true;
        lineDecoder.pause();
    }

    /** The slow work ended and its reply is written: flush it and go on with buffered input. */
    void endAsync() {
        busy = false;
        channel.flush();
        if (closing) {
            return;
        }
        if (!held.isHolding() && !closeIfDrainingAndIdle()) {
            lineDecoder.resume();
        }
    }

    /** Our own work, or a held reply, is under way: the client waits for us. */
    boolean isBusy() {
        return busy || held.isHolding();
    }

    void startTransaction(Transaction t) {
        endTransaction();
        transaction = t;
        state = SessionState.MAIL;
        services.queue().transactionStarted();
        messageExpected = true;
    }

    /**
     * Hands the transaction's message to the queue, which counts the transaction as over from then on
     * ({@link dev.tern.smtp.queue.MailQueue#handOver}).
     */
    CompletionStage<QueueId> handOver(Envelope envelope, ByteBuf message) {
        if (messageExpected) {
            messageExpected = false;
            return services.queue().handOver(envelope, message);
        }
        // The transaction already ended (the connection went while the message was being signed): the
        // queue counted its end then, and must not count it twice.
        return services.queue().enqueue(envelope, message);
    }

    /** Ends the transaction (accepted, refused or reset), releasing whatever it held. */
    void endTransaction() {
        if (messageExpected) {
            // Ended without a message (refused, reset, the connection gone): the queue waits for it no more.
            messageExpected = false;
            services.queue().transactionEnded();
        }
        if (transaction != null) {
            transaction.release();
            transaction = null;
        }
        if (state != SessionState.CONNECTED) {
            state = SessionState.READY;
        }
    }

    /** RFC 3207 4.2: after the TLS handshake the client starts over, knowing nothing from before. */
    void resetForTls(String tlsDescription) {
        endTransaction();
        state = SessionState.CONNECTED;
        heloName = null;
        esmtp = false;
        authUser = null;
        tls = tlsDescription;
    }

    /** Called from any thread at shutdown. */
    void drainSoon() {
        channel.eventLoop().execute(() -> {
            draining = true;
            closeIfDrainingAndIdle();
        });
    }

    /** Called from any thread when the grace period is over. */
    void closeNow() {
        channel.eventLoop().execute(() -> close(SmtpReplies.SHUTTING_DOWN));
    }

    /** At shutdown a session ends between transactions, never inside one (RFC 5321 3.8). */
    boolean closeIfDrainingAndIdle() {
        if (draining && !isBusy() && !state.inTransaction()) {
            close(SmtpReplies.SHUTTING_DOWN);
            return true;
        }
        return false;
    }
}

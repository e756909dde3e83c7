package dev.tern.relay.client;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.smtp.EhloReply;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A ready session with one server, which may carry several transactions in turn. Everything but
 * {@link #claim()} runs on the channel's event loop.
 */
final class ClientConnection {
    private final Channel channel;
    private final ClientSessionHandler session;
    private final SmtpClientOptions options;
    private final PoolKey key;
    private final EhloReply ehlo;
    private final boolean tls;
    private final boolean poolable;
    /** True while the connection waits in the pool; whoever flips it to false owns the connection. */
    private final AtomicBoolean idle = new AtomicBoolean();

    private ScheduledFuture<?> idleTimer;
    private int transactions;
    private boolean reusable;
    /** The last transaction ended with its content taken (RFC 5321 4.1.1.4): nothing to RSET. */
    private boolean clear;
    /** The last transaction's MAIL got no reply, or a 421: the server took nothing of it. */
    private boolean unanswered;

    ClientConnection(
            Channel channel,
            ClientSessionHandler session,
            SmtpClientOptions options,
            PoolKey key,
            EhloReply ehlo,
            boolean tls,
            boolean poolable) {
        this.channel = channel;
        this.session = session;
        this.options = options;
        this.key = key;
        this.ehlo = ehlo;
        this.tls = tls;
        this.poolable = poolable;
    }

    PoolKey key() {
        return key;
    }

    EventLoop eventLoop() {
        return channel.eventLoop();
    }

    boolean tls() {
        return tls;
    }

    /**
     * True when this session's TLS authenticated the server: verified against trusted roots and the host name
     * ({@code verify}, MTA-STS), or matched by the route's {@link PeerCheck} (DANE). What REQUIRETLS asks.
     */
    boolean verifiedTls() {
        return tls && key.route().authenticatesServer();
    }

    /** Runs one transaction; the returned stage completes on the event loop, never exceptionally. */
    CompletionStage<AttemptResult> transact(DeliveryRequest request, String remoteMta) {
        AttemptResult.HostFailed refusal = requireTlsRefusal(request, remoteMta);
        if (refusal != null) {
            return CompletableFuture.completedFuture(refusal);
        }
        transactions++;
        clear = false;
        MailTransaction transaction = new MailTransaction(session, options, request, remoteMta, ehlo, channel.alloc());
        return transaction.run().thenApply(result -> {
            reusable = transaction.reusable();
            clear = transaction.endedCleanly();
            unanswered = transaction.unanswered();
            return result instanceof AttemptResult.Completed done && tls
                    ? new AttemptResult.Completed(done.outcomes(), true)
                    : result;
        });
    }

    /**
     * RFC 8689 4.2.1: a REQUIRETLS message goes only over verified TLS to a host that offers REQUIRETLS;
     * null when it may go here. The router sends such a message only on verified routes, so the first case
     * only guards that promise.
     */
    private AttemptResult.HostFailed requireTlsRefusal(DeliveryRequest request, String remoteMta) {
        if (!request.envelope().parameters().requireTls()) {
            return null;
        }
        if (!verifiedTls()) {
            return new AttemptResult.HostFailed(
                    DeliveryStatus.PERMANENT,
                    EnhancedStatus.parse(SessionSetup.TLS_REQUIRED),
                    "REQUIRETLS needs verified TLS",
                    remoteMta,
                    null);
        }
        if (!ehlo.supports("REQUIRETLS")) {
            return new AttemptResult.HostFailed(
                    DeliveryStatus.PERMANENT,
                    AttemptResult.REQUIRETLS_NOT_OFFERED,
                    remoteMta + " does not offer REQUIRETLS, which this message requires",
                    remoteMta,
                    null);
        }
        return null;
    }

    /** True when another transaction may follow on this connection. */
    boolean mayReuse() {
        return poolable && reusable && !session.isBroken() && transactions < options.maxMessagesPerConnection();
    }

    /**
     * False when the last transaction ended with the server taking its content, which clears the server's
     * state (RFC 5321 4.1.1.4): the next one starts with MAIL. True after one that ended otherwise (MAIL
     * or every RCPT refused, content refused), whose leftovers RSET clears.
     */
    boolean needsReset() {
        return !clear;
    }

    /** The last transaction's MAIL got no reply, or a 421: nothing of it reached the server. */
    boolean unanswered() {
        return unanswered;
    }

    /** RFC 5321 4.1.1.5: clears whatever the last transaction left; completes true on 250. */
    CompletionStage<Boolean> reset() {
        CompletionStage<SmtpReply> reply = session.send(SmtpCommand.of(SmtpVerb.RSET, ""), options.commandTimeout());
        session.flush();
        // A connection that died in the pool, or a server that refuses RSET, is not worth keeping.
        return reply.handle((r, failure) -> failure == null && r.code() == 250).thenApply(ok -> {
            if (!ok) {
                session.close();
            }
            return ok;
        });
    }

    /** Parks the connection; {@code onGone} runs when it dies or idles out, after which it is closed. */
    void park(Runnable onGone) {
        idle.set(true);
        // A reply while parked answers nothing: the session drops the connection, and it leaves the pool.
        session.ended().thenRun(() -> {
            if (claim()) {
                onGone.run();
            }
        });
        idleTimer = channel.eventLoop()
                .schedule(
                        () -> {
                            if (claim()) {
                                onGone.run();
                                quit();
                            }
                        },
                        options.idleTimeout().toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    /** Takes the connection out of the pool; false when someone else (or the idle timer) has it. */
    boolean claim() {
        if (!idle.compareAndSet(true, false)) {
            return false;
        }
        ScheduledFuture<?> timer = idleTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        return true;
    }

    /** Says QUIT (RFC 5321 4.1.1.10) and closes after the reply, or at once if the connection is gone. */
    void quit() {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(this::quit);
            return;
        }
        if (session.isBroken()) {
            return;
        }
        session.send(SmtpCommand.of(SmtpVerb.QUIT, ""), options.commandTimeout())
                .whenComplete((reply, failure) -> session.close());
        session.flush();
    }
}

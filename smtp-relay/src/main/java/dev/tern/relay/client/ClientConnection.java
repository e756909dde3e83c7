package dev.tern.relay.client;

import dev.tern.relay.client.ClientSessionHandler.Broken;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.smtp.EhloReply;
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
    private final ClientSessionHandler handler;
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

    ClientConnection(
            Channel channel,
            ClientSessionHandler handler,
            SmtpClientOptions options,
            PoolKey key,
            EhloReply ehlo,
            boolean tls,
            boolean poolable) {
        this.channel = channel;
        this.handler = handler;
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

    /** Runs one transaction; the returned stage completes on the event loop. */
    CompletionStage<AttemptResult> transact(DeliveryRequest request, String remoteMta) {
        transactions++;
        MailTransaction transaction = new MailTransaction(handler, options, request, remoteMta, ehlo, channel);
        handler.listener(transaction);
        transaction.start();
        return transaction.result().thenApply(r -> {
            reusable = transaction.reusable();
            return r;
        });
    }

    /** True when another transaction may follow on this connection. */
    boolean mayReuse() {
        return poolable && reusable && !handler.isBroken() && transactions < options.maxMessagesPerConnection();
    }

    /** RFC 5321 4.1.1.5: clears whatever the last transaction left; completes true on 250. */
    CompletionStage<Boolean> reset() {
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        if (handler.isBroken()) {
            // It died between being taken from the pool and now.
            done.complete(false);
            return done;
        }
        handler.listener(new ClientSessionHandler.Listener() {
            @Override
            public void onReply(SmtpReply reply) {
                if (reply.code() != 250) {
                    handler.close();
                }
                done.complete(reply.code() == 250);
            }

            @Override
            public void onBroken(Broken broken) {
                done.complete(false);
            }
        });
        handler.send(SmtpCommand.of(SmtpVerb.RSET, ""), options.commandTimeout());
        handler.flush();
        return done;
    }

    /** Parks the connection; {@code onGone} runs when it dies or idles out, after which it is closed. */
    void park(Runnable onGone) {
        idle.set(true);
        handler.listener(new ClientSessionHandler.Listener() {
            @Override
            public void onReply(SmtpReply reply) {
                // Not reachable: with nothing awaited the handler reports an unexpected reply as broken.
            }

            @Override
            public void onBroken(Broken broken) {
                if (claim()) {
                    onGone.run();
                }
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
        if (handler.isBroken()) {
            handler.close();
            return;
        }
        handler.listener(new ClientSessionHandler.Listener() {
            @Override
            public void onReply(SmtpReply reply) {
                handler.close();
            }

            @Override
            public void onBroken(Broken broken) {}
        });
        handler.send(SmtpCommand.of(SmtpVerb.QUIT, ""), options.commandTimeout());
        handler.flush();
    }
}

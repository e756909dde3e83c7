package dev.tern.server.sink;

import dev.tern.relay.local.MaildirWriter;
import dev.tern.server.app.EventLoops;
import dev.tern.server.tls.TlsMaterial;
import dev.tern.smtp.address.ReversePath;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An SMTP receiver that accepts and counts mail and injects faults on request ({@link SinkOptions}). One
 * sink listens on one address; {@link #close()} stops it. Usable from tests: {@code new Sink(options)},
 * {@link #start}, {@link #counts()}.
 */
public final class Sink implements AutoCloseable {
    /** Messages waiting to be stored: more are answered 451 4.3.0 rather than queued without bound. */
    private static final int STORE_QUEUE = 1024;

    final SinkOptions options;
    final long seed;
    final SinkCounts.Counters counters = new SinkCounts.Counters();
    final SinkFaults faults;
    final SslContext tls;
    private final X509Certificate certificate;
    final AtomicInteger open = new AtomicInteger();
    final AtomicLong connectionNumbers = new AtomicLong();
    final AtomicLong messageNumbers = new AtomicLong();
    private final MaildirWriter maildir;
    private final ThreadPoolExecutor storeExecutor;
    private EventLoops loops;
    private Channel listener;

    public Sink(SinkOptions options) {
        this.options = options;
        this.seed = options.seed() != null ? options.seed() : System.nanoTime();
        this.faults = new SinkFaults(options, new FaultDice(seed), counters);
        TlsMaterial.InMemory material = options.startTls() ? TlsMaterial.selfSigned(options.hostname()) : null;
        this.tls = material == null ? null : material.context();
        this.certificate = material == null ? null : material.certificate();
        if (options.maildir() != null) {
            this.maildir = MaildirWriter.forHost(options.hostname(), Clock.systemUTC());
            this.storeExecutor =
                    new ThreadPoolExecutor(2, 2, 1, TimeUnit.MINUTES, new ArrayBlockingQueue<>(STORE_QUEUE), r -> {
                        Thread t = new Thread(r, "tern-sink-store");
                        t.setDaemon(true);
                        return t;
                    });
        } else {
            this.maildir = null;
            this.storeExecutor = null;
        }
    }

    /**
     * Listens on {@code bind}:{@code port} (port 0: any free one).
     *
     * @return the port bound
     */
    public synchronized int start(InetAddress bind, int port) throws InterruptedException {
        if (loops != null) {
            throw new IllegalStateException("already started");
        }
        loops = EventLoops.create();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new SinkInitializer(this));
        listener = bootstrap.bind(new InetSocketAddress(bind, port)).sync().channel();
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The counters as they are now. */
    public SinkCounts counts() {
        return counters.snapshot();
    }

    /** The seed of this sink's random choices: the one given, or the one picked. */
    public long seed() {
        return seed;
    }

    /** The certificate STARTTLS presents (made at start, for {@link SinkOptions#hostname()}), or null. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Whether messages are stored (a Maildir folder was given). */
    boolean storing() {
        return maildir != null;
    }

    /**
     * Writes one message into the Maildir folder off the event loop; the stage fails when the store is
     * full or the write failed. {@code content} is released in every case.
     */
    CompletionStage<Path> store(ReversePath sender, ByteBuf content) {
        byte[] prefix = ("Return-Path: " + sender.toPathString() + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            return CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return maildir.write(options.maildir(), prefix, content);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        } finally {
                            content.release();
                        }
                    },
                    storeExecutor);
        } catch (RejectedExecutionException e) {
            content.release();
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Stops listening, closes every connection and waits for stored messages to be written. */
    @Override
    public synchronized void close() {
        if (loops != null) {
            if (listener != null) {
                listener.close().syncUninterruptibly();
            }
            loops.shutdown();
            loops = null;
        }
        if (storeExecutor != null) {
            storeExecutor.shutdown();
            try {
                storeExecutor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

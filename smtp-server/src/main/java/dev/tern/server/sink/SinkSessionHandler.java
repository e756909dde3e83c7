package dev.tern.server.sink;

import dev.tern.smtp.BdatChunk;
import dev.tern.smtp.MailFrom;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.codec.ChunkEnd;
import dev.tern.smtp.codec.DataContent;
import dev.tern.smtp.codec.DataEnd;
import dev.tern.smtp.codec.LineError;
import dev.tern.smtp.codec.SmtpLineDecoder;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink connection: the SMTP conversation (RFC 5321 4.3.2's order, EHLO, MAIL, RCPT, DATA or BDAT,
 * STARTTLS), the faults the sink's dice pick, and every reply written in order. A reply that waits (a
 * delay, a message being stored) pauses the line decoder, so nothing pipelined behind it is answered
 * before it.
 */
final class SinkSessionHandler extends SimpleChannelInboundHandler<Object> {
    static final String LINE_DECODER = "lines";

    static final SmtpReply RCPT_TEMPFAIL = new SmtpReply(451, "4.3.0", "Temporary failure, try again later");
    static final SmtpReply RCPT_REJECT = new SmtpReply(550, "5.1.1", "No such user here");
    static final SmtpReply DATA_TEMPFAIL = new SmtpReply(451, "4.3.0", "Temporary failure, try again later");
    static final SmtpReply DATA_REJECT = new SmtpReply(554, "5.6.0", "Message refused");
    static final SmtpReply STARTTLS_PIPELINED =
            new SmtpReply(421, "4.7.0", "Commands pipelined after STARTTLS, closing connection");

    private static final Logger log = LoggerFactory.getLogger(SinkSessionHandler.class);

    private enum State {
        /** No EHLO or HELO yet (or again after STARTTLS). */
        START,
        READY,
        /** MAIL given; RCPTs may follow. */
        MAIL,
        DATA,
        BDAT
    }

    /** What follows a reply once it is written. */
    private enum After {
        CONTINUE,
        CLOSE,
        START_TLS
    }

    private final Sink sink;
    private final SinkOptions options;
    private final SmtpLineDecoder lines;
    private ChannelHandlerContext ctx;
    private State state = State.START;
    private boolean inRead;
    private boolean tlsActive;
    private boolean closing;

    // The transaction.
    private MailFrom mail;
    private int recipients;
    private long size;
    private boolean tooBig;
    private boolean dropInBody;
    private CompositeByteBuf content;
    private BdatChunk chunk;
    private SmtpReply chunkRefusal;

    SinkSessionHandler(Sink sink, SmtpLineDecoder lines) {
        this.sink = sink;
        this.options = sink.options;
        this.lines = lines;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sink.counters.connections.increment();
        int open = sink.open.incrementAndGet();
        long number = sink.connectionNumbers.incrementAndGet();
        if (open > options.maxConnections()) {
            sink.counters.refused.increment();
            respond(SmtpReplies.TOO_MANY_CONNECTIONS, 0, After.CLOSE);
        } else if (number <= options.greeting421()) {
            sink.counters.fault(Fault.GREETING_421);
            respond(options.greetingReply(), 0, After.CLOSE);
        } else {
            // RFC 5321 4.3.1: the greeting.
            respond(new SmtpReply(220, options.hostname() + " ESMTP Tern sink"), 0, After.CONTINUE);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        sink.open.decrementAndGet();
        endTransaction();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        inRead = true;
        try {
            super.channelRead(ctx, msg);
        } finally {
            inRead = false;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return;
        }
        switch (msg) {
            case SmtpCommand command -> command(command);
            case DataContent data -> receive(data);
            case DataEnd end -> dataEnd(end);
            case ChunkEnd ignored -> chunkEnd();
            case LineError error -> reply(error.reply());
            case SmtpReply reply -> reply(reply);
            default ->
                throw new IllegalStateException(
                        "unexpected message " + msg.getClass().getName());
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    private void command(SmtpCommand command) {
        switch (command.verb()) {
            case EHLO, HELO -> hello(command);
            case MAIL -> mail(command);
            case RCPT -> rcpt(command);
            case DATA -> data(command);
            case BDAT -> bdat(command);
            case RSET -> {
                endTransaction();
                state = state == State.START ? State.START : State.READY;
                reply(SmtpReplies.RESET_OK);
            }
            case NOOP -> reply(SmtpReplies.NOOP_OK);
            case QUIT -> respond(SmtpReplies.BYE, 0, After.CLOSE);
            case VRFY -> reply(SmtpReplies.CANNOT_VRFY);
            case HELP -> reply(SmtpReplies.HELP);
            case STARTTLS -> startTls(command);
            case EXPN, AUTH -> reply(SmtpReplies.NOT_IMPLEMENTED);
            case UNKNOWN -> reply(SmtpReplies.UNRECOGNIZED_COMMAND);
        }
    }

    private void hello(SmtpCommand command) {
        if (!(SmtpArguments.parseHelo(command.argument()) instanceof ParseResult.Parsed<String>)) {
            reply(SmtpReplies.EHLO_REQUIRES_DOMAIN);
            return;
        }
        endTransaction();
        state = State.READY;
        if (command.verb() == SmtpVerb.HELO) {
            reply(new SmtpReply(250, options.hostname()));
            return;
        }
        List<String> ehlo = new ArrayList<>(List.of(
                options.hostname(),
                "PIPELINING",
                "8BITMIME",
                "SIZE " + options.maxSize(),
                "ENHANCEDSTATUSCODES",
                "CHUNKING",
                "SMTPUTF8",
                "DSN"));
        if (sink.tls != null && !tlsActive) {
            ehlo.add("STARTTLS");
        }
        reply(new SmtpReply(250, null, ehlo));
    }

    private void mail(SmtpCommand command) {
        if (state == State.START) {
            reply(SmtpReplies.SEND_HELO_FIRST);
            return;
        }
        if (state != State.READY) {
            reply(SmtpReplies.NESTED_MAIL);
            return;
        }
        ParseResult<MailFrom> parsed = SmtpArguments.parseMail(command.argument());
        if (parsed instanceof ParseResult.Rejected<MailFrom>(SmtpReply refusal)) {
            reply(refusal);
            return;
        }
        MailFrom from = ((ParseResult.Parsed<MailFrom>) parsed).value();
        if (from.parameters().size() > options.maxSize()) {
            // RFC 1870 6.1: a declared size above the limit is refused at MAIL.
            reply(SmtpReplies.MESSAGE_TOO_BIG);
            return;
        }
        double roll = options.drop() > 0 ? sink.dice.percent(FaultDice.Kind.DROP) : 100;
        if (roll < options.drop()) {
            sink.counters.fault(Fault.DROP);
            // Half the drops right after MAIL, half in the middle of the message.
            if (roll < options.drop() / 2) {
                drop();
                return;
            }
            dropInBody = true;
        }
        mail = from;
        state = State.MAIL;
        reply(SmtpReplies.SENDER_OK);
    }

    private void rcpt(SmtpCommand command) {
        if (state != State.MAIL) {
            reply(state == State.START ? SmtpReplies.SEND_HELO_FIRST : SmtpReplies.NEED_MAIL);
            return;
        }
        ParseResult<?> parsed =
                SmtpArguments.parseRcpt(command.argument(), mail.parameters().smtpUtf8(), options.hostname());
        if (parsed instanceof ParseResult.Rejected<?>(SmtpReply refusal)) {
            reply(refusal);
            return;
        }
        double roll = sink.dice.percent(FaultDice.Kind.RCPT);
        if (roll < options.rcptTempfail()) {
            sink.counters.fault(Fault.RCPT_TEMPFAIL);
            reply(RCPT_TEMPFAIL);
        } else if (roll < options.rcptTempfail() + options.rcptReject()) {
            sink.counters.fault(Fault.RCPT_REJECT);
            reply(RCPT_REJECT);
        } else {
            recipients++;
            reply(SmtpReplies.RECIPIENT_OK);
        }
    }

    /** Why a message may not begin now, or null when it may. */
    private SmtpReply refuseBody() {
        return switch (state) {
            case START -> SmtpReplies.SEND_HELO_FIRST;
            case READY -> SmtpReplies.NEED_MAIL;
            case MAIL -> recipients == 0 ? SmtpReplies.NO_VALID_RECIPIENTS : null;
            case DATA -> SmtpReplies.BAD_SEQUENCE;
            case BDAT -> null;
        };
    }

    private void data(SmtpCommand command) {
        SmtpReply refusal = state == State.BDAT ? SmtpReplies.MIXED_DATA_BDAT : refuseBody();
        if (refusal == null && command.hasArgument()) {
            refusal = SmtpReplies.SYNTAX_ERROR;
        }
        if (refusal != null) {
            reply(refusal);
            return;
        }
        beginBody();
        state = State.DATA;
        lines.startData();
        reply(SmtpReplies.START_MAIL_INPUT);
    }

    private void bdat(SmtpCommand command) {
        if (!(SmtpArguments.parseBdat(command.argument()) instanceof ParseResult.Parsed<BdatChunk>(BdatChunk next))) {
            // Without a size the chunk cannot be found: what follows is read as commands.
            reply(SmtpReplies.BAD_BDAT_SYNTAX);
            return;
        }
        chunk = next;
        // RFC 3030 2: the chunk is read even when refused, and the refusal given after it.
        chunkRefusal = refuseBody();
        if (chunkRefusal == null && state != State.BDAT) {
            beginBody();
            state = State.BDAT;
        }
        lines.startChunk(next.size());
    }

    private void beginBody() {
        size = 0;
        tooBig = false;
        if (sink.storing()) {
            content = ctx.alloc().compositeBuffer(Integer.MAX_VALUE);
        }
    }

    private void receive(DataContent data) {
        if (dropInBody) {
            drop();
            return;
        }
        if (chunkRefusal != null || (state != State.DATA && state != State.BDAT)) {
            return;
        }
        size += data.content().readableBytes();
        if (size > options.maxSize()) {
            // Read on to the end, keeping nothing: client and sink stay in step (RFC 1870 6.2).
            tooBig = true;
            releaseContent();
        } else if (content != null) {
            content.addComponent(true, data.content().retain());
        }
    }

    private void dataEnd(DataEnd end) {
        if (dropInBody) {
            drop();
            return;
        }
        // Never let bare CR or LF through (SMTP smuggling), as Tern's own listener refuses them.
        SmtpReply refusal = end.bareLineEnding()
                ? SmtpReplies.BODY_BARE_LINE_ENDING
                : end.lineTooLong() ? SmtpReplies.BODY_LINE_TOO_LONG : null;
        finish(refusal);
    }

    private void chunkEnd() {
        if (chunkRefusal != null) {
            SmtpReply refusal = chunkRefusal;
            chunkRefusal = null;
            reply(refusal);
            return;
        }
        if (dropInBody) {
            drop();
            return;
        }
        if (chunk.last()) {
            finish(null);
        } else {
            reply(new SmtpReply(250, "2.0.0", "Ok: " + chunk.size() + " octets received"));
        }
    }

    /** The message is complete: refuse it, inject a fault, or accept (and store) it. */
    private void finish(SmtpReply refusal) {
        long slow = options.slowFinal().toNanos();
        if (tooBig) {
            refusal = SmtpReplies.MESSAGE_TOO_BIG;
        }
        if (refusal != null) {
            sink.counters.refused.increment();
            endTransaction();
            respond(refusal, slow, After.CONTINUE);
            return;
        }
        double roll = sink.dice.percent(FaultDice.Kind.DATA);
        if (roll < options.dataTempfail()) {
            sink.counters.fault(Fault.DATA_TEMPFAIL);
            endTransaction();
            respond(DATA_TEMPFAIL, slow, After.CONTINUE);
            return;
        }
        if (roll < options.dataTempfail() + options.dataReject()) {
            sink.counters.fault(Fault.DATA_REJECT);
            endTransaction();
            respond(DATA_REJECT, slow, After.CONTINUE);
            return;
        }
        long octets = size;
        int accepted = recipients;
        if (content == null) {
            endTransaction();
            accept(octets, accepted, slow);
            return;
        }
        CompositeByteBuf message = content;
        content = null;
        MailFrom from = mail;
        endTransaction();
        // Nothing more is read until the file is written and the reply sent.
        lines.pause();
        sink.store(from.reversePath(), message)
                .whenCompleteAsync(
                        (file, failure) -> {
                            if (!ctx.channel().isActive()) {
                                return;
                            }
                            if (failure != null) {
                                log.warn(
                                        "session={} sink: cannot store a message: {}",
                                        ctx.channel().id().asShortText(),
                                        failure.toString());
                                sink.counters.refused.increment();
                                respond(SmtpReplies.LOCAL_ERROR, slow, After.CONTINUE);
                            } else {
                                accept(octets, accepted, slow);
                            }
                        },
                        ctx.executor());
    }

    private void accept(long octets, int accepted, long slow) {
        sink.counters.messages.increment();
        sink.counters.recipients.add(accepted);
        sink.counters.bytes.add(octets);
        long number = sink.messageNumbers.incrementAndGet();
        respond(new SmtpReply(250, "2.0.0", "Ok: queued as " + number), slow, After.CONTINUE);
    }

    private void startTls(SmtpCommand command) {
        if (sink.tls == null) {
            reply(SmtpReplies.TLS_NOT_AVAILABLE);
        } else if (tlsActive) {
            reply(SmtpReplies.ALREADY_TLS);
        } else if (command.hasArgument()) {
            reply(SmtpReplies.SYNTAX_ERROR);
        } else if (state == State.MAIL || state == State.DATA || state == State.BDAT) {
            reply(SmtpReplies.BAD_SEQUENCE);
        } else if (lines.hasBufferedInput()) {
            // RFC 3207 5 (CVE-2011-0411): nothing sent as plaintext may be read as if it came over TLS.
            lines.discardBufferedInput();
            respond(STARTTLS_PIPELINED, 0, After.CLOSE);
        } else {
            respond(SmtpReplies.READY_TO_START_TLS, 0, After.START_TLS);
        }
    }

    private void reply(SmtpReply reply) {
        respond(reply, 0, After.CONTINUE);
    }

    /**
     * Writes {@code reply} after the sink's delay plus {@code extraNanos}, then does {@code after}. While
     * a reply waits, the line decoder is paused: replies leave in the order of the commands.
     */
    private void respond(SmtpReply reply, long extraNanos, After after) {
        if (after == After.CLOSE) {
            closing = true;
        }
        long wait = options.delay().toNanos() + extraNanos;
        if (wait == 0) {
            write(reply, after);
            return;
        }
        lines.pause();
        // The event loop's scheduler, never a sleeping thread.
        ctx.executor()
                .schedule(
                        () -> {
                            if (ctx.channel().isActive()) {
                                write(reply, after);
                            }
                        },
                        wait,
                        TimeUnit.NANOSECONDS);
    }

    private void write(SmtpReply reply, After after) {
        ChannelFuture written = inRead && after == After.CONTINUE ? ctx.write(reply) : ctx.writeAndFlush(reply);
        switch (after) {
            case CONTINUE -> lines.resume();
            case CLOSE -> written.addListener(ChannelFutureListener.CLOSE);
            case START_TLS -> {
                if (lines.hasBufferedInput()) {
                    lines.discardBufferedInput();
                    closing = true;
                    ctx.close();
                    return;
                }
                SslHandler handler = sink.tls.newHandler(ctx.alloc());
                handler.setHandshakeTimeout(options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                ctx.pipeline().addFirst(handler);
                lines.resume();
            }
        }
    }

    /** A connection dropped on purpose: closed with no reply. */
    private void drop() {
        closing = true;
        endTransaction();
        ctx.close();
    }

    private void endTransaction() {
        mail = null;
        recipients = 0;
        dropInBody = false;
        chunk = null;
        releaseContent();
        if (state != State.START) {
            state = State.READY;
        }
    }

    private void releaseContent() {
        if (content != null) {
            content.release();
            content = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                ctx.close();
                return;
            }
            // RFC 3207 4.2: after TLS the client starts over with EHLO.
            tlsActive = true;
            endTransaction();
            state = State.START;
        } else if (evt instanceof IdleStateEvent && !closing) {
            respond(SmtpReplies.TIMEOUT, 0, After.CLOSE);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException || cause.getCause() instanceof javax.net.ssl.SSLException) {
            ctx.close();
            return;
        }
        log.warn("session={} sink: internal error", ctx.channel().id().asShortText(), cause);
        closing = true;
        ctx.writeAndFlush(SmtpReplies.INTERNAL_ERROR).addListener(ChannelFutureListener.CLOSE);
    }
}

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
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink connection: the SMTP conversation (RFC 5321 4.3.2's order, EHLO, MAIL, RCPT, DATA or BDAT,
 * STARTTLS), the faults the sink's dice pick, and every reply written in order. A reply that waits (a
 * delay, a message being stored) pauses the line decoder, so nothing pipelined behind it is answered
 * before it.
 */
final class SinkSessionHandler extends SimpleChannelInboundHandler<Object> {
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

    private final Sink sink;
    private final SinkOptions options;
    private final SmtpLineDecoder lines;
    private ChannelHandlerContext ctx;
    private SinkReplies replies;
    private State state = State.START;
    private boolean tlsActive;

    // The transaction.
    private MailFrom mail;
    private int recipients;
    private boolean dropInBody;
    private SinkMessage message;
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
        this.replies = new SinkReplies(sink, lines, ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        sink.counters.connections.increment();
        int open = sink.open.incrementAndGet();
        long number = sink.connectionNumbers.incrementAndGet();
        if (open > options.maxConnections()) {
            sink.counters.refused.increment();
            replies.respond(SmtpReplies.TOO_MANY_CONNECTIONS, 0, SinkReplies.After.CLOSE);
        } else if (sink.faults.greeting(number) instanceof SmtpReply refusal) {
            replies.respond(refusal, 0, SinkReplies.After.CLOSE);
        } else {
            // RFC 5321 4.3.1: the greeting.
            replies.respond(new SmtpReply(220, options.hostname() + " ESMTP Tern sink"), 0, SinkReplies.After.CONTINUE);
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
        replies.reading(true);
        try {
            super.channelRead(ctx, msg);
        } finally {
            replies.reading(false);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
        if (replies.closing()) {
            return;
        }
        switch (msg) {
            case SmtpCommand command -> command(command);
            case DataContent data -> receive(data);
            case DataEnd end -> dataEnd(end);
            case ChunkEnd ignored -> chunkEnd();
            case LineError error
            when error.mayBeBdat() -> replies.respond(SmtpReplies.BAD_BDAT_SYNTAX_CLOSING, 0, SinkReplies.After.CLOSE);
            case LineError error -> replies.reply(error.reply());
            case SmtpReply reply -> replies.reply(reply);
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
                replies.reply(SmtpReplies.RESET_OK);
            }
            case NOOP -> replies.reply(SmtpReplies.NOOP_OK);
            case QUIT -> replies.respond(SmtpReplies.BYE, 0, SinkReplies.After.CLOSE);
            case VRFY -> replies.reply(SmtpReplies.CANNOT_VRFY);
            case HELP -> replies.reply(SmtpReplies.HELP);
            case STARTTLS -> startTls(command);
            case EXPN, AUTH -> replies.reply(SmtpReplies.NOT_IMPLEMENTED);
            case UNKNOWN -> replies.reply(SmtpReplies.UNRECOGNIZED_COMMAND);
        }
    }

    private void hello(SmtpCommand command) {
        if (!(SmtpArguments.parseHelo(command.argument()) instanceof ParseResult.Parsed<String>)) {
            replies.reply(SmtpReplies.EHLO_REQUIRES_DOMAIN);
            return;
        }
        endTransaction();
        state = State.READY;
        if (command.verb() == SmtpVerb.HELO) {
            replies.reply(new SmtpReply(250, options.hostname()));
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
        replies.reply(new SmtpReply(250, null, ehlo));
    }

    private void mail(SmtpCommand command) {
        if (state == State.START) {
            replies.reply(SmtpReplies.SEND_HELO_FIRST);
            return;
        }
        if (state != State.READY) {
            replies.reply(SmtpReplies.NESTED_MAIL);
            return;
        }
        ParseResult<MailFrom> parsed = SmtpArguments.parseMail(command.argument());
        if (parsed instanceof ParseResult.Rejected<MailFrom>(SmtpReply refusal)) {
            replies.reply(refusal);
            return;
        }
        MailFrom from = ((ParseResult.Parsed<MailFrom>) parsed).value();
        if (from.parameters().size() > options.maxSize()) {
            // RFC 1870 6.1: a declared size above the limit is refused at MAIL.
            replies.reply(SmtpReplies.MESSAGE_TOO_BIG);
            return;
        }
        SinkFaults.Drop drop = sink.faults.transaction();
        if (drop == SinkFaults.Drop.AFTER_MAIL) {
            drop();
            return;
        }
        dropInBody = drop == SinkFaults.Drop.IN_BODY;
        mail = from;
        state = State.MAIL;
        replies.reply(SmtpReplies.SENDER_OK);
    }

    private void rcpt(SmtpCommand command) {
        if (state != State.MAIL) {
            replies.reply(state == State.START ? SmtpReplies.SEND_HELO_FIRST : SmtpReplies.NEED_MAIL);
            return;
        }
        ParseResult<?> parsed =
                SmtpArguments.parseRcpt(command.argument(), mail.parameters().smtpUtf8(), options.hostname());
        if (parsed instanceof ParseResult.Rejected<?>(SmtpReply refusal)) {
            replies.reply(refusal);
            return;
        }
        SmtpReply fault = sink.faults.rcpt();
        if (fault != null) {
            replies.reply(fault);
            return;
        }
        recipients++;
        replies.reply(SmtpReplies.RECIPIENT_OK);
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
            replies.reply(refusal);
            return;
        }
        beginBody();
        state = State.DATA;
        lines.startData();
        replies.reply(SmtpReplies.START_MAIL_INPUT);
    }

    private void bdat(SmtpCommand command) {
        if (!(SmtpArguments.parseBdat(command.argument()) instanceof ParseResult.Parsed<BdatChunk>(BdatChunk next))) {
            // Without a size the chunk cannot be found: what follows must not be read as commands.
            endTransaction();
            replies.respond(SmtpReplies.BAD_BDAT_SYNTAX_CLOSING, 0, SinkReplies.After.CLOSE);
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
        message = SinkMessage.begin(options.maxSize(), sink.storing(), ctx.alloc());
    }

    private void receive(DataContent data) {
        if (dropInBody) {
            drop();
            return;
        }
        if (chunkRefusal != null || (state != State.DATA && state != State.BDAT)) {
            return;
        }
        message.add(data);
    }

    private void dataEnd(DataEnd end) {
        if (dropInBody) {
            drop();
            return;
        }
        // Never let bare CR or LF through (SMTP smuggling), as Tern's own listener refuses them.
        SmtpReply refusal = end.bareLineEnding()
                ? SmtpReplies.BODY_BARE_LINE_ENDING
                : end.lineTooLong() ? SmtpReplies.bodyLineTooLong(options.maxLineLength()) : null;
        finish(refusal);
    }

    private void chunkEnd() {
        if (chunkRefusal != null) {
            SmtpReply refusal = chunkRefusal;
            chunkRefusal = null;
            replies.reply(refusal);
            return;
        }
        if (dropInBody) {
            drop();
            return;
        }
        if (chunk.last()) {
            finish(null);
        } else {
            replies.reply(SmtpReplies.OK.withText("Ok: " + chunk.size() + " octets received"));
        }
    }

    /** The message is complete: refuse it, inject a fault, or accept (and store) it. */
    private void finish(SmtpReply refusal) {
        long slow = options.slowFinal().toNanos();
        if (message.tooBig()) {
            refusal = SmtpReplies.MESSAGE_TOO_BIG;
        }
        if (refusal != null) {
            sink.counters.refused.increment();
            endTransaction();
            replies.respond(refusal, slow, SinkReplies.After.CONTINUE);
            return;
        }
        SmtpReply fault = sink.faults.message();
        if (fault != null) {
            endTransaction();
            replies.respond(fault, slow, SinkReplies.After.CONTINUE);
            return;
        }
        long octets = message.size();
        int accepted = recipients;
        CompositeByteBuf content = message.takeContent();
        MailFrom from = mail;
        endTransaction();
        if (content == null) {
            accept(octets, accepted, slow);
            return;
        }
        // Nothing more is read until the file is written and the reply sent.
        lines.pause();
        sink.store(from.reversePath(), content)
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
                                replies.respond(SmtpReplies.LOCAL_ERROR, slow, SinkReplies.After.CONTINUE);
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
        replies.respond(SmtpReplies.OK.withText("Ok: queued as " + number), slow, SinkReplies.After.CONTINUE);
    }

    private void startTls(SmtpCommand command) {
        if (sink.tls == null) {
            replies.reply(SmtpReplies.TLS_NOT_AVAILABLE);
        } else if (tlsActive) {
            replies.reply(SmtpReplies.ALREADY_TLS);
        } else if (command.hasArgument()) {
            replies.reply(SmtpReplies.SYNTAX_ERROR);
        } else if (state == State.MAIL || state == State.DATA || state == State.BDAT) {
            replies.reply(SmtpReplies.BAD_SEQUENCE);
        } else if (lines.hasBufferedInput()) {
            // RFC 3207 5 (CVE-2011-0411): nothing sent as plaintext may be read as if it came over TLS.
            lines.discardBufferedInput();
            replies.respond(STARTTLS_PIPELINED, 0, SinkReplies.After.CLOSE);
        } else {
            replies.respond(SmtpReplies.READY_TO_START_TLS, 0, SinkReplies.After.START_TLS);
        }
    }

    /** A connection dropped on purpose: closed with no reply. */
    private void drop() {
        endTransaction();
        replies.close();
    }

    private void endTransaction() {
        mail = null;
        recipients = 0;
        dropInBody = false;
        chunk = null;
        if (message != null) {
            message.release();
            message = null;
        }
        if (state != State.START) {
            state = State.READY;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                replies.close();
                return;
            }
            // RFC 3207 4.2: after TLS the client starts over with EHLO.
            tlsActive = true;
            endTransaction();
            state = State.START;
        } else if (evt instanceof IdleStateEvent && !replies.closing()) {
            replies.respond(SmtpReplies.TIMEOUT, 0, SinkReplies.After.CLOSE);
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
        replies.respond(SmtpReplies.INTERNAL_ERROR, 0, SinkReplies.After.CLOSE);
    }
}

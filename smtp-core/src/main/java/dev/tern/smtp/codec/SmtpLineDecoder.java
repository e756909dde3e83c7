package dev.tern.smtp.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.util.List;

/**
 * Server-side framing of an SMTP connection with strict CRLF: only the two octets CR LF end a line
 * (RFC 5321 2.3.8), so a bare CR or LF can never be used to smuggle a second message past a more
 * lenient peer (CVE-2023-51764).
 *
 * <p>Three modes:
 *
 * <ul>
 *   <li>command (initial): each line is emitted as a {@link ByteBuf} without its CRLF, or replaced by
 *       a {@link LineError}. Lines are told apart where every peer tells them apart, at the LF, so
 *       the session answers each line the client sent exactly once, in order. A bare LF ends its
 *       line and refuses it; a bare CR refuses its line at once and the rest of that line, up to
 *       its LF, is skipped. Neither waits for a CRLF, so a client that ends lines with LF alone
 *       is answered immediately. A too-long line is discarded as it arrives and reported at its
 *       line end.
 *   <li>data ({@link #startData()}): the body is emitted as dot-unstuffed {@link DataContent} slices
 *       of the received buffers, then one {@link DataEnd}, after which the decoder is back in
 *       command mode.
 *   <li>chunk ({@link #startChunk(long)}): exactly the announced octets as {@link DataContent}, then
 *       {@link ChunkEnd#INSTANCE}, then command mode.
 * </ul>
 *
 * <p>Every {@code decode} call emits at most one message, so a handler that switches the mode or
 * pauses on a message does so before the next octet is decoded. A connection closed mid-line or
 * mid-body emits nothing for the unfinished part.
 *
 * <p>When the client half-closes (with {@code ALLOW_HALF_CLOSURE} set), what it sent before still gets
 * decoded in turn, pauses included, and the {@link ChannelInputShutdownEvent} is passed on only after the
 * last complete line: a client that sends its message and shuts its side down at once still reads the
 * reply to it.
 */
public final class SmtpLineDecoder extends ByteToMessageDecoder {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int CRLF_LENGTH = 2;
    private static final int UNDECIDED = 0;

    /**
     * While paused, reading goes on until this many octets wait undecoded; then the socket is no longer
     * read until {@link #resume()}. A client that waits for its reply, as almost all do, never gets this
     * far, so a pause costs no system call; one that pipelines on gets at most this plus one read held.
     */
    static final int PAUSED_READ_LIMIT = 4096;

    /**
     * How much longer than the command line limit a MAIL line may be: the parameters of the extensions an
     * SMTP server announces lengthen it (RFC 5321 4.5.3.1.4): SIZE by 26 octets (RFC 1870), RET and ENVID
     * by 100 (RFC 3461 4), AUTH by 500 (RFC 4954 5), and 64 more for BODY, SMTPUTF8 and REQUIRETLS.
     */
    public static final int MAIL_PARAMETERS = 26 + 100 + 500 + 64;

    /** How much longer a RCPT line may be: NOTIFY and ORCPT add 500 octets (RFC 3461 4). */
    public static final int RCPT_PARAMETERS = 500;

    /** "mail" and "rcpt" as four ASCII octets read as one int, for a match in either case. */
    private static final int MAIL = 0x6d61696c;

    private static final int RCPT = 0x72637074;

    /** Sets the bit that makes an ASCII letter lower case, in each of four octets. */
    private static final int LOWER_CASE = 0x20202020;

    private enum State {
        COMMAND,
        DISCARDING,
        /** The rest of a line after a bare CR, held (at most a command line's length) to be looked at whole. */
        SKIPPING,
        /** The rest of a line after a bare CR, too long to hold: dropped as it comes. */
        DROPPING,
        DATA,
        CHUNK
    }

    private int maxCommandLineLength;
    /** The too-long line being discarded was answered when it was seen (it may be read as BDAT). */
    private boolean tooLongAnswered;

    private final BodyLineScanner body;
    private State state = State.COMMAND;
    private long chunkRemaining;
    /** Paused by the session, until its {@link #resume()}. */
    private boolean heldBySession;
    /**
     * The channel is not writable: its unsent replies passed the high water mark (a client that sends and
     * never reads). Decoding waits until they drain, so what the session writes stays bounded.
     */
    private boolean congested;

    private boolean readStopped;
    private boolean inChannelRead;
    private boolean inputShutdown;
    private ChannelHandlerContext ctx;

    /**
     * @param maxCommandLineLength longest command line in octets, CRLF included (RFC 5321 4.5.3.1.4:
     *     at least 512); MAIL and RCPT lines may be {@link #MAIL_PARAMETERS} and {@link #RCPT_PARAMETERS}
     *     longer
     * @param maxTextLineLength longest DATA text line in octets, CRLF included (RFC 5321 4.5.3.1.6:
     *     at least 1000)
     */
    public SmtpLineDecoder(int maxCommandLineLength, int maxTextLineLength) {
        if (maxCommandLineLength < 2 || maxTextLineLength < 2) {
            throw new IllegalArgumentException("line limits count the CRLF and must be at least 2");
        }
        this.maxCommandLineLength = maxCommandLineLength;
        this.body = new BodyLineScanner(maxTextLineLength);
    }

    /**
     * Changes the longest command line accepted from the next line on, e.g. for the responses of an
     * AUTH exchange, which RFC 4954 4 allows up to 12,288 octets.
     */
    public void maxCommandLineLength(int octets) {
        if (octets < 2) {
            throw new IllegalArgumentException("a line holds at least its CRLF");
        }
        this.maxCommandLineLength = octets;
    }

    /** Switches to data mode; the session calls it once it has written its 354 reply. */
    public void startData() {
        requireCommandMode();
        body.reset();
        state = State.DATA;
    }

    /** Switches to chunk mode for the {@code size} octets announced by BDAT (RFC 3030 2). */
    public void startChunk(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("chunk size must not be negative: " + size);
        }
        requireCommandMode();
        chunkRemaining = size;
        state = State.CHUNK;
        if (size == 0 && !inChannelRead && !paused() && ctx != null) {
            // Called outside a read: nothing else would announce the empty chunk's end.
            drain();
        }
    }

    /**
     * Stops decoding: received octets accumulate, and once more than {@link #PAUSED_READ_LIMIT} of them
     * wait the socket is no longer read.
     */
    public void pause() {
        heldBySession = true;
        stopReadingIfFull();
    }

    /** While paused: stops reading the socket once the undecoded octets pass the limit. */
    private void stopReadingIfFull() {
        if (paused() && !readStopped && ctx != null && internalBuffer().readableBytes() > PAUSED_READ_LIMIT) {
            readStopped = true;
            ctx.channel().config().setAutoRead(false);
        }
    }

    /**
     * Undoes {@link #pause()}: decodes what was buffered meanwhile, then signals read-complete so
     * the replies written for it are flushed. Must run on the channel's event loop.
     */
    public void resume() {
        if (!heldBySession) {
            return;
        }
        if (ctx != null && !ctx.executor().inEventLoop()) {
            throw new IllegalStateException("resume() must run on the channel's event loop");
        }
        heldBySession = false;
        if (!congested) {
            unpause();
        }
    }

    /**
     * The replies stopped leaving (the channel is not writable) or left again: decoding, and past {@link
     * #PAUSED_READ_LIMIT} reading, waits meanwhile, as for {@link #pause()}, so a client that sends commands or
     * chunks and never reads its replies cannot make them pile up without bound.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        if (!writable && !congested) {
            congested = true;
            stopReadingIfFull();
        } else if (writable && congested) {
            congested = false;
            if (!heldBySession) {
                unpause();
            }
        }
        super.channelWritabilityChanged(ctx);
    }

    /** Decoding stopped: by {@link #pause()}, or because the replies are not leaving (see {@link #congested}). */
    private boolean paused() {
        return heldBySession || congested;
    }

    /** Decodes again, neither the session nor the replies holding it back any more. */
    private void unpause() {
        if (ctx == null || ctx.isRemoved()) {
            return;
        }
        if (readStopped) {
            readStopped = false;
            ctx.channel().config().setAutoRead(true);
        }
        if (!inChannelRead) {
            // Inside a read the running decode loop picks the buffered octets up by itself.
            drain();
            passOnInputShutdown();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Not the superclass's handling, which decodes past a pause and then drops what is left: the
            // commands behind a message still waiting for its reply are answered after it, in order.
            inputShutdown = true;
            if (!paused()) {
                drain();
                passOnInputShutdown();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Once every complete line the client sent before its half-close is decoded, says so, once. */
    private void passOnInputShutdown() {
        if (inputShutdown && !paused() && !ctx.isRemoved()) {
            inputShutdown = false;
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        }
    }

    /** Whether octets were received that are not decoded yet (RFC 3207 5: none may follow STARTTLS). */
    public boolean hasBufferedInput() {
        return internalBuffer().isReadable();
    }

    /** Drops every received octet not decoded yet, with any half-discarded too-long line. */
    public void discardBufferedInput() {
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
        if (state == State.DISCARDING || state == State.SKIPPING || state == State.DROPPING) {
            state = State.COMMAND;
        }
        tooLongAnswered = false;
    }

    /** Whether a DATA body or a BDAT chunk is being received. */
    public boolean inBody() {
        return state == State.DATA || state == State.CHUNK;
    }

    /** Octets held in the cumulation buffer; tests use it to check memory stays bounded. */
    int bufferedBytes() {
        return internalBuffer().readableBytes();
    }

    /**
     * Whether octets the client sent after the line being handled are already here: a line is passed on
     * as soon as it is decoded, so while it is handled the buffer holds only what came behind it.
     */
    public boolean inputFollows() {
        return internalBuffer().isReadable();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        boolean outermost = !inChannelRead;
        inChannelRead = true;
        try {
            super.channelRead(ctx, msg);
            stopReadingIfFull();
            // A chunk that ended with the last buffered octet, or was empty, leaves no octet that
            // would call decode() again, so its end is announced here.
            while (outermost && !paused() && state == State.CHUNK && chunkRemaining == 0) {
                endChunk(ctx);
                if (!paused() && internalBuffer().isReadable()) {
                    super.channelRead(ctx, Unpooled.EMPTY_BUFFER);
                }
            }
        } finally {
            if (outermost) {
                inChannelRead = false;
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (paused()) {
            // The superclass would request another read because nothing was decoded; while paused
            // reading waits for resume(), which bounds what accumulates.
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (paused()) {
            return;
        }
        switch (state) {
            case COMMAND -> decodeCommand(in, out);
            case DISCARDING -> discardTooLongLine(in, out);
            case SKIPPING -> skipRestOfLine(in, out);
            case DROPPING -> dropRestOfLine(in);
            case DATA -> decodeData(in, out);
            case CHUNK -> decodeChunk(ctx, in, out);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // Input closed: a line without its CRLF or a body without its end is not a complete message
        // and is dropped rather than passed on as one.
    }

    private void decodeCommand(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int limit = lineLimit(in, start);
        // RFC 5321 4.5.3.1.4: the limit counts the CRLF, so the line end lies in the first octets
        int at = in.forEachByte(start, Math.min(in.readableBytes(), limit), ByteProcessor.FIND_CRLF);
        if (at < 0) {
            if (in.readableBytes() >= limit) {
                if (BdatLookalike.test(in, start, start + limit, true)) {
                    // Answered now (a session ends there); the rest of the line is dropped unanswered.
                    out.add(LineError.BDAT_TOO_LONG);
                    tooLongAnswered = true;
                }
                state = State.DISCARDING;
                discardTooLongLine(in, out);
            }
            return;
        }
        int ending = lineEnding(in, at);
        if (ending == UNDECIDED) {
            return;
        }
        int length = at - start;
        if ((ending != CRLF_LENGTH || length + CRLF_LENGTH > limit) && BdatLookalike.test(in, start, at)) {
            // A BDAT line ended by a bare CR or LF, or too long: its chunk's end cannot be known here.
            out.add(ending == CRLF_LENGTH ? LineError.BDAT_TOO_LONG : LineError.BDAT_BARE_LINE_ENDING);
            in.readerIndex(at + ending);
            state = ending == CRLF_LENGTH || in.getByte(at) == LF ? State.COMMAND : State.SKIPPING;
        } else if (ending != CRLF_LENGTH) {
            // RFC 5321 2.3.8: a bare CR or LF is never a line end we accept; it is refused at once
            refuseBareLineEnding(in, at, ending, out);
        } else if (length + CRLF_LENGTH > limit) {
            in.skipBytes(length + CRLF_LENGTH);
            out.add(LineError.TOO_LONG);
        } else {
            out.add(in.readRetainedSlice(length));
            in.skipBytes(CRLF_LENGTH);
        }
    }

    /**
     * The longest the command line starting at {@code start} may be: longer for MAIL and RCPT, whose
     * parameters lengthen them, once the verb and the space after it are in.
     */
    private int lineLimit(ByteBuf in, int start) {
        if (in.readableBytes() > 4 && in.getByte(start + 4) == ' ') {
            // OR-ing 0x20 into an octet leaves only 'M' and 'm' equal to 'm', and so on for each letter.
            int verb = in.getInt(start) | LOWER_CASE;
            if (verb == MAIL) {
                return maxCommandLineLength + MAIL_PARAMETERS;
            }
            if (verb == RCPT) {
                return maxCommandLineLength + RCPT_PARAMETERS;
            }
        }
        return maxCommandLineLength;
    }

    /**
     * Refuses the line whose bare CR or LF is at {@code at}. A bare LF ends the line, as every lenient
     * peer reads it; after a bare CR the rest of the line, up to its LF, is skipped unanswered. Either
     * way the client gets one reply per line it meant to send, and gets it now, not at the next CRLF.
     */
    private void refuseBareLineEnding(ByteBuf in, int at, int ending, List<Object> out) {
        boolean bareLf = in.getByte(at) == LF;
        in.readerIndex(at + ending);
        out.add(LineError.BARE_LINE_ENDING);
        if (!bareLf) {
            state = State.SKIPPING;
        }
    }

    /** A too-long line: its octets are dropped as they come; it is answered when its line end shows. */
    private void discardTooLongLine(ByteBuf in, List<Object> out) {
        int at = in.forEachByte(ByteProcessor.FIND_CRLF);
        int ending = at < 0 ? UNDECIDED : lineEnding(in, at);
        if (ending == UNDECIDED) {
            // Keep a trailing CR: it may be the first half of the CRLF that ends the line.
            in.readerIndex(at < 0 ? in.writerIndex() : at);
            return;
        }
        in.readerIndex(at + ending);
        // One error per line, sent when the line is over, keeps replies in step with lines; a bare CR
        // is answered at once like in any line, and the rest of the line skipped. A line another reader
        // may take for BDAT was answered when it was seen.
        state = ending == CRLF_LENGTH || in.getByte(at) == LF ? State.COMMAND : State.SKIPPING;
        if (!tooLongAnswered) {
            out.add(LineError.TOO_LONG);
        }
        tooLongAnswered = false;
    }

    /**
     * The rest of a line already refused for a bare CR, skipped up to and including its LF, unanswered. A reader
     * that ends lines at a bare CR reads lines in it, though: one it may take for BDAT is answered as such (a
     * session ends there), since that reader would take what follows for the chunk. The rest is held until its
     * LF, up to a command line's length; past that it is judged by its start and dropped as it comes.
     */
    private void skipRestOfLine(ByteBuf in, List<Object> out) {
        int from = in.readerIndex();
        int window = Math.min(in.readableBytes(), maxCommandLineLength);
        int lf = in.indexOf(from, from + window, LF);
        if (lf < 0) {
            if (in.readableBytes() >= maxCommandLineLength) {
                if (BdatLookalike.test(in, from, from + maxCommandLineLength, true)) {
                    out.add(LineError.BDAT_BARE_LINE_ENDING);
                }
                state = State.DROPPING;
                dropRestOfLine(in);
            }
            return;
        }
        // Each part between bare CRs (the last one's CR being the CRLF's) is a line to such a reader.
        int partStart = from;
        for (int i = from; i <= lf; i++) {
            if (i == lf || in.getByte(i) == CR) {
                if (BdatLookalike.test(in, partStart, i)) {
                    out.add(LineError.BDAT_BARE_LINE_ENDING);
                    break;
                }
                partStart = i + 1;
            }
        }
        in.readerIndex(lf + 1);
        state = State.COMMAND;
    }

    /** The rest of a line after a bare CR, too long to hold: dropped up to and including its LF. */
    private void dropRestOfLine(ByteBuf in) {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), LF);
        if (lf < 0) {
            in.skipBytes(in.readableBytes());
            return;
        }
        in.readerIndex(lf + 1);
        state = State.COMMAND;
    }

    private void decodeData(ByteBuf in, List<Object> out) {
        if (body.atLineStart() && in.getByte(in.readerIndex()) == '.') {
            // RFC 5321 4.5.2: the first "." of a line is removed; a line of "." alone ends the data
            in.skipBytes(1);
            body.dotRemoved();
        }
        if (body.afterDot()) {
            int next = in.readerIndex();
            if (!in.isReadable() || in.getByte(next) == CR && in.readableBytes() < 2) {
                return; // one octet of lookahead tells "." CRLF from a line starting "." CR
            }
            if (in.getByte(next) == CR && in.getByte(next + 1) == LF) {
                // RFC 5321 4.1.1.4: CRLF "." CRLF ends the data; the first CRLF was content.
                in.skipBytes(2);
                state = State.COMMAND;
                out.add(body.end());
                return;
            }
        }
        int start = in.readerIndex();
        int stop = body.scan(in, start, in.writerIndex());
        int end = stop < 0 ? in.writerIndex() : stop;
        if (end > start) {
            // A slice of the received octets: several lines at once, never copied.
            out.add(new DataContent(in.readRetainedSlice(end - start)));
        }
    }

    private void decodeChunk(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (chunkRemaining == 0) {
            endChunk(ctx);
            if (in.isReadable()) {
                decode(ctx, in, out);
            }
            return;
        }
        // RFC 3030 2: the chunk is exactly the announced octets, taken as they are.
        int length = (int) Math.min(in.readableBytes(), chunkRemaining);
        chunkRemaining -= length;
        out.add(new DataContent(in.readRetainedSlice(length)));
    }

    /**
     * The chunk end consumes no octet, which ByteToMessageDecoder forbids for an emitted message, so
     * it is passed on directly; every earlier message has been passed on already.
     */
    private void endChunk(ChannelHandlerContext ctx) {
        state = State.COMMAND;
        ctx.fireChannelRead(ChunkEnd.INSTANCE);
    }

    private void drain() {
        try {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    private void requireCommandMode() {
        if (state != State.COMMAND) {
            throw new IllegalStateException("not in command mode: " + state);
        }
    }

    /**
     * The length of the line end whose first octet, a CR or LF, is at {@code at}: {@link #CRLF_LENGTH}
     * for CR LF, 1 for a bare CR or LF, or {@link #UNDECIDED} while a CR is the last octet received.
     */
    private static int lineEnding(ByteBuf in, int at) {
        if (in.getByte(at) == LF) {
            return 1;
        }
        if (at + 1 == in.writerIndex()) {
            return UNDECIDED;
        }
        return in.getByte(at + 1) == LF ? CRLF_LENGTH : 1;
    }
}

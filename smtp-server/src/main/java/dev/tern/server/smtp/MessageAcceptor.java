package dev.tern.server.smtp;

import dev.tern.relay.client.LongLines;
import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.queue.QueueId;
import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a message, by DATA or by BDAT LAST: refuse it with the reply it earned, or add our
 * header fields and hand it to the queue. "250 queued as" is written only once the queue says the
 * message is on disk; until then the session reads nothing more.
 */
final class MessageAcceptor {
    private static final Logger log = LoggerFactory.getLogger(MessageAcceptor.class);

    private MessageAcceptor() {}

    static void finish(SmtpSession session, SmtpReply contentRefusal) {
        finish(session, contentRefusal, false);
    }

    /**
     * The last chunk of a BDAT transaction is in. Its octets were taken as they came, so what DATA checks
     * while it reads is checked now: a bare CR or LF, which the next hop might read as a line end (SMTP
     * smuggling), and a line longer than the listener takes. A last line without CRLF then gets one
     * ({@link LineEnds#endLastLine}), as DATA's last line always has it; the size SIZE limits counted stays
     * what the client sent.
     */
    static void finishChunks(SmtpSession session) {
        finish(session, null, true);
    }

    private static void finish(SmtpSession session, SmtpReply contentRefusal, boolean checkLineEnds) {
        Transaction t = session.transaction;
        if (contentRefusal != null) {
            t.refuse(contentRefusal);
        }
        if (t.refusal() != null) {
            refuse(session, t.refusal());
            return;
        }
        ByteBufAllocator alloc = session.channel.alloc();
        ByteBuf content = t.takeContent(alloc);
        ListenerSettings settings = session.settings;
        SmtpReply lineRefusal =
                checkLineEnds ? LineEnds.refusal(content, settings.maxTextLine(), settings.bodyLineTooLong()) : null;
        if (lineRefusal != null) {
            content.release();
            refuse(session, lineRefusal);
            return;
        }
        if (checkLineEnds) {
            content = LineEnds.endLastLine(content, alloc);
        }
        HeaderScan headers = HeaderScan.of(
                content, settings.limits().maxHeaderSize(), settings.limits().maxHeaderFields());
        SmtpReply headerRefusal = null;
        if (headers.overLimit()) {
            // Checked first: past a limit the scan stopped, so its Received count is partial. The
            // message has been read to its end, so refusing it keeps the session in step.
            headerRefusal = SmtpReplies.HEADER_TOO_LARGE;
        } else if (headers.receivedCount() >= settings.limits().maxReceivedHeaders()) {
            // RFC 5321 6.3: a message that has passed this many hops is in a loop.
            headerRefusal = SmtpReplies.MAIL_LOOP;
        }
        if (headerRefusal != null) {
            content.release();
            refuse(session, headerRefusal);
            return;
        }
        ZonedDateTime now = ZonedDateTime.now(session.services.clock());
        // The address the client gave, as Postfix writes it: an alias's target is not the client's to learn.
        String single = t.recipients.size() == 1 ? t.firstGiven.address() : null;
        StringBuilder added = new StringBuilder(TraceHeaders.received(session, single, now));
        if (settings.submission()) {
            // RFC 6409 8.1 to 8.3: the submission server may add the fields a client left out.
            if (!headers.hasMessageId()) {
                added.append(TraceHeaders.messageId(settings.hostname()));
            }
            if (!headers.hasDate()) {
                added.append(TraceHeaders.date(now));
            }
            if (!headers.hasFrom() && !t.mailFrom.reversePath().isNull()) {
                // RFC 5322 3.6 asks for an originator; the authenticated sender's own address (the envelope's),
                // as Postfix adds it, so that the message is complete and can be signed.
                added.append(TraceHeaders.from(t.mailFrom.reversePath()));
            }
        }
        if (headers.bodyStart() == 0) {
            // No header section at all: Tern's fields on top would make the first line part of one.
            added.append("\r\n");
        } else if (headers.bodyStart() > 0) {
            // The body begins at a line that is no field, with no empty line before it: one goes in there, so that
            // everyone after the scan (local delivery, the signer, the next hop) reads the header section as it did.
            content = withEmptyLineAt(alloc, content, headers.bodyStart());
        }
        boolean ours = session.authenticated() || session.trusted();
        ByteBuf message = prepend(alloc, added, content);
        if (ours
                && session.services.signer() != Signer.NONE // no cost on a server that signs nothing
                && t.mailFrom.parameters().body() != MailParameters.Body.BINARY_MIME
                && LongLines.any(content)
                && session.services.signer().signs(message)) {
            // Every line over 998 octets is folded on its way out (RFC 5321 4.5.3.1.6): folded now, before it is
            // signed, the message is signed as it will be sent (RFC 6376 5.3), and the signature holds. Mail that is
            // not signed is kept as received.
            ByteBuf folded = LongLines.fold(message, alloc);
            message.release();
            message = folded;
        }
        // RFC 8689 5: the header field counts only when MAIL did not ask for REQUIRETLS.
        boolean tlsOptional =
                headers.tlsRequiredNo() && !t.mailFrom.parameters().requireTls();
        Envelope envelope = new Envelope(t.mailFrom.reversePath(), t.recipients, t.mailFrom.parameters(), tlsOptional);
        session.beginAsync();
        ByteBuf ready = message;
        if (ours) {
            // Our own users' mail (the same sessions that may relay, RecipientPolicy) is signed once, here,
            // before the spool, so that every delivery attempt carries the same DKIM-Signature. Mail merely
            // relayed for others, or received for our domains from strangers, is not ours to sign.
            session.services
                    .signer()
                    .sign(ready)
                    .whenCompleteAsync(
                            (fields, failure) -> signed(session, envelope, ready, fields, failure),
                            session.channel.eventLoop());
        } else {
            enqueue(session, envelope, ready);
        }
    }

    /** {@code content} with CRLF inserted {@code at} octets into it; the result owns {@code content}. */
    private static ByteBuf withEmptyLineAt(ByteBufAllocator alloc, ByteBuf content, int at) {
        int start = content.readerIndex();
        ByteBuf head = content.retainedSlice(start, at);
        ByteBuf tail = content.retainedSlice(start + at, content.readableBytes() - at);
        content.release();
        ByteBuf crlf = alloc.buffer(2).writeByte('\r').writeByte('\n');
        return alloc.compositeBuffer(3).addComponents(true, head, crlf, tail);
    }

    /** {@code added} (header fields, CRLF-terminated) on top of {@code content}; both are the result's. */
    private static CompositeByteBuf prepend(ByteBufAllocator alloc, CharSequence added, ByteBuf content) {
        ByteBuf prefix = alloc.buffer(added.length() * 3);
        prefix.writeCharSequence(added, StandardCharsets.UTF_8);
        return alloc.compositeBuffer(2).addComponents(true, prefix, content);
    }

    /**
     * RFC 6376 5.6: the DKIM-Signature fields go on top, above our Received field, as a signing filter
     * after the MTA puts them; Received is not signed (RFC 6376 5.4.1), the fields Tern adds on submission
     * (Message-ID, Date) are.
     */
    private static void signed(
            SmtpSession session, Envelope envelope, ByteBuf message, String fields, Throwable failure) {
        if (failure != null) {
            message.release();
            log.warn("session={} message not signed: {}", session.id, failure.toString());
            session.services.metrics().messageRejected(SessionMetrics.MessageRejection.SIGNING);
            session.reply(SmtpReplies.LOCAL_ERROR);
            session.endTransaction();
            session.endAsync();
            return;
        }
        enqueue(session, envelope, fields.isEmpty() ? message : prepend(session.channel.alloc(), fields, message));
    }

    private static void enqueue(SmtpSession session, Envelope envelope, ByteBuf message) {
        long size = message.readableBytes();
        CompletionStage<QueueId> stored = session.handOver(envelope, message);
        stored.whenCompleteAsync(
                (id, failure) -> queued(session, envelope, size, id, failure), session.channel.eventLoop());
    }

    private static void queued(SmtpSession session, Envelope envelope, long size, QueueId id, Throwable failure) {
        if (failure == null) {
            session.messagesAccepted++;
            session.junkCommands = 0;
            session.errorsSinceMessage = 0;
            session.services.metrics().messageAccepted(size);
            // Strings and numbers only: the log writer formats such a line on its own thread, not on this loop.
            log.info(
                    "session={} queued id={} from={} rcpts={} size={}",
                    session.id,
                    id.value(),
                    envelope.reversePath().toString(),
                    envelope.recipients().size(),
                    size);
            session.reply(SmtpReplies.OK.withText("Ok: queued as " + id));
        } else {
            log.warn("session={} message not queued: {}", session.id, failure.toString());
            session.services.metrics().messageRejected(SessionMetrics.MessageRejection.QUEUE_ERROR);
            session.reply(SmtpReplies.LOCAL_ERROR);
        }
        session.endTransaction();
        session.endAsync();
    }

    /** Counts a refused message by its reason, told apart by the canned reply it earned. */
    static void countRefusal(SmtpSession session, SmtpReply reply) {
        SessionMetrics.MessageRejection reason;
        if (reply.equals(SmtpReplies.MESSAGE_TOO_BIG)) {
            reason = SessionMetrics.MessageRejection.SIZE;
        } else if (reply.equals(session.settings.bodyLineTooLong())) {
            reason = SessionMetrics.MessageRejection.LINE_LENGTH;
        } else if (reply.equals(SmtpReplies.BODY_BARE_LINE_ENDING)) {
            reason = SessionMetrics.MessageRejection.BARE_LINE_ENDING;
        } else if (reply.equals(SmtpReplies.HEADER_TOO_LARGE)) {
            reason = SessionMetrics.MessageRejection.HEADER;
        } else if (reply.equals(SmtpReplies.MAIL_LOOP)) {
            reason = SessionMetrics.MessageRejection.LOOP;
        } else if (reply.equals(SmtpReplies.INSUFFICIENT_STORAGE)) {
            reason = SessionMetrics.MessageRejection.MEMORY;
        } else {
            reason = SessionMetrics.MessageRejection.OTHER;
        }
        session.services.metrics().messageRejected(reason);
    }

    private static void refuse(SmtpSession session, SmtpReply reply) {
        log.info("session={} message refused: {}", session.id, reply);
        countRefusal(session, reply);
        session.endTransaction();
        session.reply(reply);
    }
}

package dev.tern.server.smtp;

import dev.tern.smtp.BdatChunk;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;

/**
 * BDAT (RFC 3030 2): {@code BDAT size [LAST]}. The chunk's octets follow the command at once, so they
 * are always read, even when the command is refused; the refusal is given once the chunk is consumed.
 */
final class BdatVerb {
    private static final SmtpReply EMPTY_CHUNK = SmtpReplies.OK.withText("Ok: 0 octets received");

    /** A refusal waiting for its chunk to be read, or null. */
    private SmtpReply pendingRefusal;

    private boolean last;
    private long chunkSize;
    /**
     * The refusal that failed a transaction at a chunk that was not its last, until that transaction's LAST
     * chunk or any command but BDAT: RFC 3030 2 has the server read and discard the chunks already pipelined
     * after a failed one. Each is answered with the same refusal, as a junk command rather than one more error
     * each, so that a client pipelining a large message is neither held by the tarpit nor closed for the chunks
     * it had already sent.
     */
    private SmtpReply failedWith;
    /** Whether the current chunk is one of those. */
    private boolean discarding;

    /** Called for every BDAT command, admitted or not ({@code refusal} is the ordering check's verdict). */
    void start(SmtpSession session, SmtpCommand command, SmtpReply refusal) {
        if (!(SmtpArguments.parseBdat(command.argument()) instanceof ParseResult.Parsed<BdatChunk>(BdatChunk chunk))) {
            // Without a size the chunk cannot be found: what follows must not be read as commands.
            session.close(SmtpReplies.BAD_BDAT_SYNTAX_CLOSING);
            return;
        }
        chunkSize = chunk.size();
        last = chunk.last();
        pendingRefusal = refusal;
        // Pipelined after the failed chunk, with no other command between.
        discarding = refusal != null && failedWith != null;
        if (!discarding) {
            failedWith = null;
        }
        if (refusal == null) {
            session.state = SessionState.BDAT;
        }
        session.lineDecoder.startChunk(chunkSize);
    }

    /** A command other than BDAT: the client is past the chunks it had pipelined after a failed one. */
    void anotherCommand() {
        failedWith = null;
    }

    /** Is the current chunk's content to be kept? */
    boolean keeping(SmtpSession session) {
        return pendingRefusal == null && session.transaction != null;
    }

    /** The chunk's octets are all read. */
    void end(SmtpSession session) {
        if (pendingRefusal != null) {
            SmtpReply refusal = pendingRefusal;
            pendingRefusal = null;
            if (discarding) {
                refusal = failedWith;
                session.replyToDiscardedChunk(refusal);
            } else {
                session.reply(refusal);
                // A refused chunk fails its transaction (no recipient accepted, say): a RCPT pipelined after it
                // must not open the way to a message made of the chunks after it alone.
                session.endTransaction();
            }
            failedWith = last ? null : refusal;
            return;
        }
        if (last) {
            MessageAcceptor.finishChunks(session);
        } else if (session.transaction.refusal() != null) {
            // RFC 3030 2: a failed chunk fails the transaction; the rest is refused too.
            failedWith = session.transaction.refusal();
            MessageAcceptor.countRefusal(session, failedWith);
            session.reply(failedWith);
            session.endTransaction();
        } else if (chunkSize == 0) {
            // An empty chunk that is not the last brings the message no nearer.
            session.replyToJunk(EMPTY_CHUNK);
        } else {
            session.reply(SmtpReplies.OK.withText("Ok: " + chunkSize + " octets received"));
        }
    }
}

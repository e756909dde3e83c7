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
        if (refusal == null) {
            session.state = SessionState.BDAT;
        }
        session.lineDecoder.startChunk(chunkSize);
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
            session.reply(refusal);
            return;
        }
        if (last) {
            MessageAcceptor.finishChunks(session);
        } else if (session.transaction.refusal() != null) {
            // RFC 3030 2: a failed chunk fails the transaction; the rest is refused too.
            MessageAcceptor.countRefusal(session, session.transaction.refusal());
            session.reply(session.transaction.refusal());
            session.endTransaction();
        } else if (chunkSize == 0) {
            // An empty chunk that is not the last brings the message no nearer.
            session.replyToJunk(EMPTY_CHUNK);
        } else {
            session.reply(SmtpReplies.OK.withText("Ok: " + chunkSize + " octets received"));
        }
    }
}

package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolCodec.readString;
import static dev.tern.relay.spool.SpoolCodec.writeString;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The STATE record's metadata in segment format 2: every field of {@link RecipientState} and its
 * {@link LastAttempt} as a typed value, the remote reply as its code, enhanced code and lines.
 *
 * <pre>
 * [id str][recipient i32][kind u8][next attempt i64][attempts i32][notified u8][has last u8]
 * last: [at i64][status str][diagnostic str][remote MTA str|null][next hop DSN u8]
 *       [reply code u16, 0 = none] reply: [enhanced str|null][line count u16][line str]...
 * </pre>
 *
 * Format 1 segments hold a string instead of the typed fields; {@link FormatOneState} reads them.
 *
 * <p>The HOLD record (format 2) says whether the operator holds the whole message: {@code [id str]
 * [held u8]}, 1 for held, 0 for released. The last one replayed wins.
 */
final class StateCodec {

    /** RFC 5321 sets no limit on reply lines; the client side stops reading far below this. */
    private static final int MAX_REPLY_LINES = 1000;

    private StateCodec() {}

    static void write(ByteBuf out, QueueId id, int recipient, RecipientState state) {
        writeString(out, id.value());
        out.writeInt(recipient);
        out.writeByte(state.kind().code);
        out.writeLong(state.nextAttemptMillis());
        out.writeInt(state.attempts());
        out.writeByte(noticeBits(state.notified()));
        LastAttempt last = state.last();
        out.writeBoolean(last != null);
        if (last == null) {
            return;
        }
        out.writeLong(last.atMillis());
        writeString(out, last.status().toString());
        writeString(out, last.diagnostic());
        writeString(out, last.remoteMta());
        out.writeBoolean(last.nextHopDsn());
        SmtpReply reply = last.reply();
        out.writeShort(reply == null ? 0 : reply.code());
        if (reply != null) {
            writeString(out, reply.status() == null ? null : reply.status().toString());
            out.writeShort(reply.lines().size());
            reply.lines().forEach(line -> writeString(out, line));
        }
    }

    static void writeHold(ByteBuf out, QueueId id, boolean held) {
        writeString(out, id.value());
        out.writeBoolean(held);
    }

    static HoldMeta readHold(ByteBuf in) {
        QueueId id = new QueueId(readString(in));
        int held = in.readUnsignedByte();
        if (held > 1) {
            throw new IllegalArgumentException("bad hold flag " + held);
        }
        return new HoldMeta(id, held == 1);
    }

    record HoldMeta(QueueId id, boolean held) {}

    static SpoolCodec.StateMeta read(ByteBuf in, int segmentVersion) {
        QueueId id = new QueueId(readString(in));
        int recipient = in.readInt();
        RecipientState.Kind kind = RecipientState.Kind.ofCode(in.readByte());
        long next = in.readLong();
        if (segmentVersion == RecordFormat.FORMAT_ONE) {
            return new SpoolCodec.StateMeta(id, recipient, FormatOneState.of(kind, next, readString(in)));
        }
        int attempts = in.readInt();
        Set<RecipientState.Notice> notified = noticesOf(in.readUnsignedByte());
        LastAttempt last = in.readBoolean() ? readLast(in) : null;
        return new SpoolCodec.StateMeta(id, recipient, new RecipientState(kind, next, attempts, last, notified));
    }

    private static LastAttempt readLast(ByteBuf in) {
        long at = in.readLong();
        EnhancedStatus status = EnhancedStatus.parse(readString(in));
        String diagnostic = readString(in);
        String remoteMta = readString(in);
        boolean nextHopDsn = in.readBoolean();
        int code = in.readUnsignedShort();
        SmtpReply reply = null;
        if (code != 0) {
            String enhanced = readString(in);
            int count = in.readUnsignedShort();
            if (count == 0 || count > MAX_REPLY_LINES) {
                throw new IllegalArgumentException("bad reply line count " + count);
            }
            List<String> lines = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                lines.add(readString(in));
            }
            reply = new SmtpReply(code, enhanced == null ? null : EnhancedStatus.parse(enhanced), lines);
        }
        return new LastAttempt(at, status, reply, remoteMta, diagnostic, nextHopDsn);
    }

    private static int noticeBits(Set<RecipientState.Notice> notices) {
        int bits = 0;
        for (RecipientState.Notice n : notices) {
            bits |= n.bit;
        }
        return bits;
    }

    private static Set<RecipientState.Notice> noticesOf(int bits) {
        Set<RecipientState.Notice> set = EnumSet.noneOf(RecipientState.Notice.class);
        for (RecipientState.Notice n : RecipientState.Notice.values()) {
            if ((bits & n.bit) != 0) {
                set.add(n);
            }
        }
        return set;
    }
}

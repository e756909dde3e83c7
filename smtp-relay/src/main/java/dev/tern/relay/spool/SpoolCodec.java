package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The explicit binary encoding of record metadata: big-endian integers and strings as
 * {@code [length i32][UTF-8]}, length -1 for null. Every enum is written as a fixed code, never an
 * ordinal, so reordering a Java enum cannot change what old segments mean.
 *
 * <p>A message's meta ends with a flags byte ({@link #REQUIRE_TLS}, {@link #TLS_OPTIONAL}), added after the
 * recipients so that older records, which end with them, read as having no flag, and an older Tern, which
 * stops reading after the recipients, still reads new records.
 */
final class SpoolCodec {

    private static final int MAX_RECIPIENTS = 1_000_000;
    /** MAIL ... REQUIRETLS (RFC 8689 4). */
    static final int REQUIRE_TLS = 1;
    /** {@code TLS-Required: No} (RFC 8689 5). */
    static final int TLS_OPTIONAL = 2;

    private SpoolCodec() {}

    record MessageMeta(QueueId id, long arrivalMillis, Envelope envelope) {}

    record StateMeta(QueueId id, int recipient, RecipientState state) {}

    static void writeMessage(ByteBuf out, QueueId id, long arrivalMillis, Envelope envelope) {
        writeString(out, id.value());
        out.writeLong(arrivalMillis);
        ReversePath path = envelope.reversePath();
        out.writeBoolean(!path.isNull());
        if (!path.isNull()) {
            writeMailbox(out, path.mailbox());
        }
        MailParameters p = envelope.parameters();
        out.writeLong(p.size());
        out.writeByte(bodyCode(p.body()));
        out.writeBoolean(p.smtpUtf8());
        out.writeByte(p.ret() == null ? 0 : p.ret() == MailParameters.Ret.FULL ? 1 : 2);
        writeString(out, p.envId());
        writeString(out, p.auth());
        out.writeInt(envelope.recipients().size());
        for (RcptTo rcpt : envelope.recipients()) {
            writeMailbox(out, rcpt.mailbox());
            out.writeByte(notifyBits(rcpt.parameters().notifyOn()));
            writeString(out, rcpt.parameters().orcpt());
        }
        out.writeByte((p.requireTls() ? REQUIRE_TLS : 0) | (envelope.tlsOptional() ? TLS_OPTIONAL : 0));
    }

    static MessageMeta readMessage(ByteBuf in) {
        QueueId id = new QueueId(readString(in));
        long arrival = in.readLong();
        ReversePath path = in.readBoolean() ? new ReversePath(readMailbox(in)) : ReversePath.NULL;
        long size = in.readLong();
        MailParameters.Body body = bodyOf(in.readByte());
        boolean smtpUtf8 = in.readBoolean();
        MailParameters.Ret ret =
                switch (in.readByte()) {
                    case 0 -> null;
                    case 1 -> MailParameters.Ret.FULL;
                    case 2 -> MailParameters.Ret.HDRS;
                    default -> throw new IllegalArgumentException("bad RET code");
                };
        String envId = readString(in);
        String auth = readString(in);
        int count = in.readInt();
        if (count <= 0 || count > MAX_RECIPIENTS) {
            throw new IllegalArgumentException("bad recipient count " + count);
        }
        List<RcptTo> recipients = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Mailbox mailbox = readMailbox(in);
            Set<RcptParameters.Notify> notify = notifyOf(in.readByte());
            recipients.add(new RcptTo(mailbox, new RcptParameters(notify, readString(in)).shared()));
        }
        // Records written before the flags existed end here: no flag.
        int flags = in.isReadable() ? in.readByte() : 0;
        if ((flags & ~(REQUIRE_TLS | TLS_OPTIONAL)) != 0) {
            throw new IllegalArgumentException("bad message flags " + flags);
        }
        MailParameters params =
                new MailParameters(size, body, smtpUtf8, ret, envId, auth, (flags & REQUIRE_TLS) != 0).shared();
        return new MessageMeta(id, arrival, new Envelope(path, recipients, params, (flags & TLS_OPTIONAL) != 0));
    }

    static void writeDone(ByteBuf out, QueueId id) {
        writeString(out, id.value());
    }

    static QueueId readDone(ByteBuf in) {
        return new QueueId(readString(in));
    }

    private static void writeMailbox(ByteBuf out, Mailbox mailbox) {
        writeString(out, mailbox.localPart());
        writeString(out, mailbox.domain());
    }

    private static Mailbox readMailbox(ByteBuf in) {
        return new Mailbox(readString(in), readString(in));
    }

    static void writeString(ByteBuf out, String s) {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(ByteBufUtil.utf8Bytes(s));
        out.writeCharSequence(s, StandardCharsets.UTF_8);
    }

    static String readString(ByteBuf in) {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.readableBytes()) {
            throw new IllegalArgumentException("bad string length " + length);
        }
        return in.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    private static int bodyCode(MailParameters.Body body) {
        return switch (body) {
            case SEVEN_BIT -> 0;
            case EIGHT_BIT_MIME -> 1;
            case BINARY_MIME -> 2;
        };
    }

    private static MailParameters.Body bodyOf(int code) {
        return switch (code) {
            case 0 -> MailParameters.Body.SEVEN_BIT;
            case 1 -> MailParameters.Body.EIGHT_BIT_MIME;
            case 2 -> MailParameters.Body.BINARY_MIME;
            default -> throw new IllegalArgumentException("bad BODY code " + code);
        };
    }

    private static int notifyBits(Set<RcptParameters.Notify> notify) {
        int bits = 0;
        for (RcptParameters.Notify n : notify) {
            bits |= switch (n) {
                case NEVER -> 1;
                case SUCCESS -> 2;
                case FAILURE -> 4;
                case DELAY -> 8;
            };
        }
        return bits;
    }

    private static Set<RcptParameters.Notify> notifyOf(int bits) {
        Set<RcptParameters.Notify> set = EnumSet.noneOf(RcptParameters.Notify.class);
        if ((bits & 1) != 0) {
            set.add(RcptParameters.Notify.NEVER);
        }
        if ((bits & 2) != 0) {
            set.add(RcptParameters.Notify.SUCCESS);
        }
        if ((bits & 4) != 0) {
            set.add(RcptParameters.Notify.FAILURE);
        }
        if ((bits & 8) != 0) {
            set.add(RcptParameters.Notify.DELAY);
        }
        return set;
    }
}

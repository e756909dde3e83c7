package dev.tern.relay.spool;

import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Lays out a batch of records for one gathering write. Headers and metadata go into one reused
 * direct buffer; message content is not copied: its own NIO buffers join the write between them.
 */
final class BatchEncoder {

    private static final int INITIAL = 64 * 1024;
    private static final int KEEP = 4 * 1024 * 1024;

    private ByteBuf scratch = Unpooled.directBuffer(INITIAL);

    /**
     * A batch ready to append.
     *
     * @param buffers what to write, in order
     * @param ids the queue id given to each message op (null for other ops)
     * @param contentOffsets where each message's content will start in the segment
     * @param contentLengths each message's content length
     * @param end the segment's size once the batch is written
     */
    record Encoded(ByteBuffer[] buffers, QueueId[] ids, long[] contentOffsets, int[] contentLengths, long end) {}

    Encoded encode(List<SpoolOp> batch, QueueIdGenerator idGenerator, long nonce, long start) {
        int n = batch.size();
        if (scratch.capacity() > KEEP) {
            // One huge envelope should not pin megabytes for the life of the spool.
            scratch.release();
            scratch = Unpooled.directBuffer(INITIAL);
        }
        scratch.clear();
        QueueId[] ids = new QueueId[n];
        int[] marks = new int[n + 1];
        for (int i = 0; i < n; i++) {
            marks[i] = scratch.writerIndex();
            writeHeadAndMeta(batch.get(i), i, ids, idGenerator);
        }
        marks[n] = scratch.writerIndex();

        // The scratch buffer may have grown while encoding: take NIO views only now.
        long[] contentOffsets = new long[n];
        int[] contentLengths = new int[n];
        List<ByteBuffer> buffers = new ArrayList<>(n * 2);
        long offset = start;
        for (int i = 0; i < n; i++) {
            SpoolOp op = batch.get(i);
            int head = marks[i];
            int headLength = marks[i + 1] - head;
            ByteBuf content = SpoolOp.contentOf(op);
            int contentLength = content == null ? 0 : content.readableBytes();
            int length = headLength - RecordFormat.HEADER_SIZE + contentLength;
            scratch.setInt(head + 5, length);
            CRC32C crc = RecordFormat.startCrc(nonce, scratch.getByte(head + 4), length);
            crc.update(scratch.nioBuffer(head + RecordFormat.HEADER_SIZE, headLength - RecordFormat.HEADER_SIZE));
            if (content != null) {
                for (ByteBuffer b : content.nioBuffers()) {
                    crc.update(b);
                }
            }
            scratch.setInt(head + RecordFormat.CRC_OFFSET, (int) crc.getValue());
            buffers.add(scratch.nioBuffer(head, headLength));
            if (content != null) {
                Collections.addAll(buffers, content.nioBuffers());
            }
            contentOffsets[i] = offset + headLength;
            contentLengths[i] = contentLength;
            offset += headLength + (long) contentLength;
        }
        return new Encoded(buffers.toArray(ByteBuffer[]::new), ids, contentOffsets, contentLengths, offset);
    }

    private void writeHeadAndMeta(SpoolOp op, int i, QueueId[] ids, QueueIdGenerator idGenerator) {
        byte type =
                switch (op) {
                    case SpoolOp.Message m -> RecordFormat.MESSAGE;
                    case SpoolOp.Relocate r -> RecordFormat.MESSAGE;
                    case SpoolOp.State s -> RecordFormat.STATE;
                    case SpoolOp.Done d -> RecordFormat.DONE;
                    case SpoolOp.Hold h -> RecordFormat.HOLD;
                    case SpoolOp.Stop s -> throw new IllegalArgumentException("stop is not a record");
                };
        // Length and CRC are filled in once the whole batch is laid out.
        scratch.writeInt(RecordFormat.MAGIC).writeByte(type).writeInt(0).writeInt(0);
        switch (op) {
            case SpoolOp.Message m -> {
                ids[i] = idGenerator.next();
                int lengthAt = scratch.writerIndex();
                scratch.writeInt(0);
                SpoolCodec.writeMessage(scratch, ids[i], m.arrivalMillis(), m.envelope());
                scratch.setInt(lengthAt, scratch.writerIndex() - lengthAt - 4);
            }
            case SpoolOp.Relocate r -> {
                ids[i] = r.message().id();
                int lengthAt = scratch.writerIndex();
                scratch.writeInt(0);
                SpoolCodec.writeMessage(
                        scratch,
                        ids[i],
                        r.message().arrivalMillis(),
                        r.message().envelope());
                scratch.setInt(lengthAt, scratch.writerIndex() - lengthAt - 4);
            }
            case SpoolOp.State s -> StateCodec.write(scratch, s.id(), s.recipient(), s.state());
            case SpoolOp.Done d -> SpoolCodec.writeDone(scratch, d.id());
            case SpoolOp.Hold h -> StateCodec.writeHold(scratch, h.id(), h.held());
            case SpoolOp.Stop s -> {}
        }
    }

    void close() {
        scratch.release();
    }
}

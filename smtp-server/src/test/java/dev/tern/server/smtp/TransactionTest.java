package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.MailFrom;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.address.ReversePath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What a transaction keeps of the message as it comes: the octets in order, and no more memory than they
 * need, however small the pieces they come in (BDAT chunks of two octets, a line a packet).
 */
class TransactionTest {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    private Transaction transaction() {
        return new Transaction(
                new MailFrom(ReversePath.NULL, MailParameters.NONE), 1 << 30, new InflightBudget(1L << 30));
    }

    @Test
    void copiesTinyPiecesIntoFewBuffersAndKeepsNoneOfWhatTheyWereReadInto() {
        Transaction t = transaction();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int pieces = 100_000;
        for (int i = 0; i < pieces; i++) {
            // Each piece a slice of a read buffer of its own, as a BDAT chunk of two octets in a packet of its own.
            ByteBuf read = alloc.buffer(2048);
            byte[] octets = {(byte) ('a' + i % 26), '\n'};
            read.writeBytes("BDAT 2\r\n".getBytes(StandardCharsets.US_ASCII)).writeBytes(octets);
            expected.writeBytes(octets);
            ByteBuf piece = read.retainedSlice(8, 2);
            read.release();
            t.append(piece, alloc);
            piece.release();
            assertThat(read.refCnt()).as("the read buffer is not kept alive").isZero();
        }

        ByteBuf content = t.takeContent(alloc);
        try {
            assertThat(content.readableBytes()).isEqualTo(2 * pieces);
            assertThat(((CompositeByteBuf) content).numComponents())
                    .as("a component per 16 KiB copied, not one per piece")
                    .isLessThanOrEqualTo(2 * pieces / Transaction.COPIED_BUFFER + 1);
            assertThat(bytes(content)).isEqualTo(expected.toByteArray());
        } finally {
            content.release();
            t.release();
        }
    }

    @Test
    void keepsALargePieceAsASliceAndTheOrderOfEverything() {
        Transaction t = transaction();
        ByteBuf read = alloc.buffer(8192);
        read.writeBytes("x".repeat(8000).getBytes(StandardCharsets.US_ASCII));
        ByteBuf large = read.retainedSlice(0, 6000);
        ByteBuf small = read.retainedSlice(6000, 10);
        ByteBuf rest = read.retainedSlice(6010, 1990);
        read.release();
        ByteBuf tiny = alloc.buffer(4).writeBytes("end\n".getBytes(StandardCharsets.US_ASCII));

        t.append(small, alloc);
        t.append(large, alloc);
        t.append(tiny, alloc);
        t.append(rest, alloc);
        assertThat(large.refCnt())
                .as("kept without a copy: half its buffer or more")
                .isEqualTo(2);
        assertThat(small.refCnt()).as("copied: under 1 KiB").isEqualTo(1);
        assertThat(rest.refCnt())
                .as("copied: under half of the buffer it would keep alive")
                .isEqualTo(1);
        small.release();
        large.release();
        tiny.release();
        rest.release();

        ByteBuf content = t.takeContent(alloc);
        try {
            String s = content.toString(StandardCharsets.US_ASCII);
            assertThat(s).hasSize(10 + 6000 + 4 + 1990).startsWith("x".repeat(6010) + "end\n");
            assertThat(((CompositeByteBuf) content).numComponents()).isEqualTo(3);
        } finally {
            content.release();
            t.release();
        }
        assertThat(read.refCnt()).isZero();
    }

    @Test
    void releasesCopiedPiecesWhenTheMessageIsRefused() {
        Transaction t =
                new Transaction(new MailFrom(ReversePath.NULL, MailParameters.NONE), 10, new InflightBudget(1 << 20));
        ByteBuf piece = alloc.buffer(8).writeBytes("12345678".getBytes(StandardCharsets.US_ASCII));
        t.append(piece, alloc);
        t.append(piece.resetReaderIndex(), alloc);
        piece.release();

        assertThat(t.refusal()).as("past the size limit").isNotNull();
        assertThat(t.size()).isEqualTo(16);
        t.release();
    }

    private static byte[] bytes(ByteBuf buf) {
        byte[] out = new byte[buf.readableBytes()];
        buf.getBytes(buf.readerIndex(), out);
        return out;
    }

    /**
     * A refused message gives its memory back at once: the sessions after it are not refused for memory while
     * its client still sends what will be refused anyway.
     */
    @Test
    void aRefusedMessageGivesItsMemoryBackAtOnce() {
        InflightBudget budget = new InflightBudget(10_000);
        Transaction big = new Transaction(new MailFrom(ReversePath.NULL, MailParameters.NONE), 1 << 20, budget);
        Transaction next = new Transaction(new MailFrom(ReversePath.NULL, MailParameters.NONE), 1 << 20, budget);
        ByteBuf piece = alloc.buffer(4000).writeZero(4000);
        try {
            big.append(piece, alloc);
            big.append(piece, alloc);
            big.append(piece, alloc); // past the budget: refused, and what it held dropped
            assertThat(big.refusal()).isNotNull();

            next.append(piece, alloc);
            next.append(piece, alloc);
            assertThat(next.refusal())
                    .as("the refused message's 8,000 octets are free again")
                    .isNull();
        } finally {
            piece.release();
            big.release();
            next.release();
        }
    }

    /**
     * One client address holds at most its share of the budget, so that one client sending large messages and
     * then trickling them cannot keep the memory from every other client; a trusted one (no address given) is
     * held to no share.
     */
    @Test
    void oneClientHoldsAtMostItsShareOfTheBudget() throws Exception {
        InflightBudget budget = new InflightBudget(20_000, 5_000);
        InetAddress greedy = InetAddress.getByName("127.0.0.10");
        MailFrom from = new MailFrom(ReversePath.NULL, MailParameters.NONE);
        Transaction first = new Transaction(from, 1 << 20, budget, greedy);
        Transaction second = new Transaction(from, 1 << 20, budget, greedy);
        Transaction other = new Transaction(from, 1 << 20, budget, InetAddress.getByName("127.0.0.11"));
        Transaction trusted = new Transaction(from, 1 << 20, budget, null);
        ByteBuf piece = alloc.buffer(4000).writeZero(4000);
        try {
            first.append(piece, alloc);
            second.append(piece, alloc);
            assertThat(second.refusal()).as("past the address's share").isNotNull();
            other.append(piece, alloc);
            assertThat(other.refusal()).as("another address has room").isNull();
            trusted.append(piece, alloc);
            assertThat(trusted.refusal())
                    .as("the rest of the budget, for a client held to no share")
                    .isNull();
            first.release();
            Transaction again = new Transaction(from, 1 << 20, budget, greedy);
            try {
                piece.readerIndex(0);
                trusted.release();
                again.append(piece, alloc);
                assertThat(again.refusal())
                        .as("its share is free again once released")
                        .isNull();
            } finally {
                again.release();
            }
        } finally {
            piece.release();
            second.release();
            other.release();
            trusted.release();
        }
        assertThat(budget.used()).isZero();
    }
}

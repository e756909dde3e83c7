package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DotStuffingTest {
    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    static Stream<Arguments> cases() {
        return Stream.of(
                row("", ".\r\n"), // empty message: only the terminator
                row("a\r\n", "a\r\n.\r\n"), // ends with CRLF: terminator appended
                row("a", "a\r\n.\r\n"), // no final CRLF: one is added first
                row("a\r", "a\r\r\n.\r\n"), // a trailing CR is not a line end
                row(".\r\n", "..\r\n.\r\n"), // leading dot at the start of the message
                row("a\r\n.b\r\n", "a\r\n..b\r\n.\r\n"), // leading dot after CRLF
                row("..\r\n", "...\r\n.\r\n"), // two dots get a third
                row("a\r\n.", "a\r\n..\r\n.\r\n"), // dot on the unterminated last line
                row(".\r\n.\r\n", "..\r\n..\r\n.\r\n"), // a would-be terminator inside the message
                row("a.b\r\n", "a.b\r\n.\r\n"), // dot inside a line is left alone
                row("a\n.b\r\n", "a\n.b\r\n.\r\n"), // bare LF does not start a line (the spool has none)
                row("\r\n\r\n", "\r\n\r\n.\r\n")); // empty lines
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void cases(String message, String stuffed) {
        ByteBuf in = ascii(message);
        ByteBuf out = DotStuffing.stuff(in, ALLOC);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(stuffed);
        out.release();
        assertThat(in.refCnt()).isEqualTo(1);
        in.release();
    }

    @Test
    void roundTripsRandomMessagesThroughAReferenceReader() {
        SplittableRandom random = new SplittableRandom(5321);
        byte[] alphabet = {'.', '.', 'a', '\r', '\n', ' '};
        for (int i = 0; i < 5_000; i++) {
            byte[] message = new byte[random.nextInt(0, 40)];
            for (int j = 0; j < message.length; j++) {
                message[j] = alphabet[random.nextInt(alphabet.length)];
            }
            ByteBuf in = Unpooled.wrappedBuffer(message);
            ByteBuf out = DotStuffing.stuff(in, ALLOC);
            byte[] wire = new byte[out.readableBytes()];
            out.getBytes(out.readerIndex(), wire);
            out.release();
            in.release();
            assertThat(unstuff(wire)).as("message %s", Arrays.toString(message)).isEqualTo(withFinalCrlf(message));
        }
    }

    @Test
    void readsOnlyTheReadableBytesAndLeavesIndexesAlone() {
        ByteBuf whole = ascii("skip\r\n.a\r\n");
        ByteBuf in = whole.slice(4, whole.readableBytes() - 4); // starts right after "skip": "\r\n.a\r\n"
        ByteBuf out = DotStuffing.stuff(in, ALLOC);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("\r\n..a\r\n.\r\n");
        assertThat(in.readerIndex()).isZero();
        assertThat(in.writerIndex()).isEqualTo(6);
        out.release();
        whole.release();
    }

    @Test
    void sharesTheMessageBytesInsteadOfCopying() {
        ByteBuf in = ascii("line\r\n.dot\r\n");
        ByteBuf out = DotStuffing.stuff(in, ALLOC);
        assertThat(in.refCnt()).as("slices hold references").isGreaterThan(1);
        out.release();
        assertThat(in.refCnt()).isEqualTo(1);
        in.release();
    }

    /** Reads DATA as a receiver does (RFC 5321 4.5.2): up to the "." line, removing one leading dot. */
    private static byte[] unstuff(byte[] wire) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int start = 0;
        while (true) {
            int end = indexOfCrlf(wire, start);
            assertThat(end).as("terminator present").isGreaterThanOrEqualTo(0);
            if (end - start == 1 && wire[start] == '.') {
                assertThat(end + 2).as("nothing after the terminator").isEqualTo(wire.length);
                return out.toByteArray();
            }
            int from = wire[start] == '.' ? start + 1 : start;
            out.write(wire, from, end - from);
            out.write('\r');
            out.write('\n');
            start = end + 2;
        }
    }

    private static int indexOfCrlf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] withFinalCrlf(byte[] message) {
        int n = message.length;
        if (n == 0 || (n >= 2 && message[n - 2] == '\r' && message[n - 1] == '\n')) {
            return message;
        }
        byte[] longer = Arrays.copyOf(message, n + 2);
        longer[n] = '\r';
        longer[n + 1] = '\n';
        return longer;
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static Arguments row(String message, String stuffed) {
        return Arguments.of(message, stuffed);
    }
}

package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BodyLineScannerTest {

    /**
     * Octets next to CR and LF in value, every other octet of the range the search first looks for (0x08 to
     * 0x0F) and the ones just outside it, the same with the high bit set, and ones whose subtraction borrows,
     * around the line breaks.
     */
    private static final byte[] NEIGHBOURS = {
        0x00,
        0x01,
        0x07,
        0x08,
        0x09,
        0x0B,
        0x0C,
        0x0E,
        0x0F,
        0x10,
        (byte) 0x88,
        (byte) 0x8A,
        (byte) 0x8D,
        (byte) 0x8F,
        'X',
        '.'
    };

    @Test
    void findsTheFirstCrOrLfWhereverItIsInAWordAndWhateverSurroundsIt() {
        SplittableRandom random = new SplittableRandom(20261204);
        for (int length = 0; length <= 40; length++) {
            for (int round = 0; round < 200; round++) {
                byte[] octets = new byte[length];
                for (int i = 0; i < length; i++) {
                    octets[i] = NEIGHBOURS[random.nextInt(NEIGHBOURS.length)];
                }
                int breaks = random.nextInt(3);
                for (int k = 0; k < breaks && length > 0; k++) {
                    octets[random.nextInt(length)] = random.nextBoolean() ? (byte) '\r' : (byte) '\n';
                }
                int from = length == 0 ? 0 : random.nextInt(length + 1);
                ByteBuffer view = ByteBuffer.wrap(octets).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(BodyLineScanner.nextLineBreak(view, from, length))
                        .as("length %d from %d", length, from)
                        .isEqualTo(firstBreak(octets, from));
            }
        }
    }

    private static int firstBreak(byte[] octets, int from) {
        for (int i = from; i < octets.length; i++) {
            if (octets[i] == '\r' || octets[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}

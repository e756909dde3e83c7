package dev.tern.smtp.codec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fuzz input read as the octets a peer sends and the reads they arrive in: the first octet's low
 * four bits are the number of reads chosen (0 to 15), each next octet the length of one (1 to 256),
 * and the rest are the octets; whatever the chosen reads leave over arrives as one last read. A seed
 * file that begins with a 0 octet is its rest sent in one read.
 */
record SplitInput(byte[] octets, int[] readLengths) {

    static SplitInput of(byte[] data) {
        if (data.length == 0) {
            return new SplitInput(data, new int[0]);
        }
        int reads = Math.min(data[0] & 0x0f, data.length - 1);
        int[] lengths = new int[reads];
        for (int i = 0; i < reads; i++) {
            lengths[i] = (data[1 + i] & 0xff) + 1;
        }
        return new SplitInput(Arrays.copyOfRange(data, 1 + reads, data.length), lengths);
    }

    /** The octets in one read. */
    List<byte[]> whole() {
        return List.of(octets);
    }

    /** The octets in the chosen reads, then the rest in one. */
    List<byte[]> chosen() {
        List<byte[]> pieces = new ArrayList<>();
        int from = 0;
        for (int length : readLengths) {
            int to = Math.min(octets.length, from + length);
            pieces.add(Arrays.copyOfRange(octets, from, to));
            from = to;
        }
        pieces.add(Arrays.copyOfRange(octets, from, octets.length));
        return pieces;
    }

    /** The octets one at a time. */
    List<byte[]> byteByByte() {
        List<byte[]> pieces = new ArrayList<>(octets.length);
        for (byte b : octets) {
            pieces.add(new byte[] {b});
        }
        return pieces;
    }
}

package dev.tern.server.limit;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A client address cut to its counting prefix: an IPv4 address to {@code v4Prefix} bits, an IPv6 address
 * to {@code v6Prefix} (one customer usually holds a whole /64, so counting single IPv6 addresses would
 * count nothing). Two longs, so a key costs the same whatever the address family.
 */
record ClientKey(long high, long low) {
    /** Marks IPv4 keys, so that no IPv4 key equals an IPv6 one. */
    private static final long V4 = 1L << 62;

    static ClientKey of(InetAddress address, int v4Prefix, int v6Prefix) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            long v4 = Integer.toUnsignedLong(
                    (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff));
            return new ClientKey(V4, v4 & mask(v4Prefix, 32));
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (bytes[i] & 0xff);
            low = low << 8 | (bytes[i + 8] & 0xff);
        }
        return new ClientKey(high & mask(Math.min(v6Prefix, 64), 64), low & mask(Math.max(0, v6Prefix - 64), 64));
    }

    /** The top {@code prefix} bits of a {@code width}-bit value. */
    private static long mask(int prefix, int width) {
        long ones = width == 64 ? -1L : (1L << width) - 1;
        if (prefix <= 0) {
            return 0;
        }
        if (prefix >= width) {
            // Java takes shift distances modulo 64: a whole-width shift must not be left to it.
            return ones;
        }
        return ones & ~(ones >>> prefix);
    }
}

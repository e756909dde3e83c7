package dev.tern.server.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The host's listening TCP sockets as the kernel lists them in {@code /proc/net/tcp} and {@code
 * /proc/net/tcp6} (Linux, where {@code SO_REUSEPORT} is used), and the socket behind one of this process's
 * own descriptors, from {@code /proc/self/fd}. Sockets are told apart by inode.
 */
final class PortListeners {

    /** {@code TCP_LISTEN} in the tables' {@code st} column. */
    private static final String LISTEN = "0A";
    /** {@code ::ffff:0:0/96} as the first 24 hex digits of a {@code tcp6} address (32-bit words, host order). */
    private static final String V4_MAPPED = "0000000000000000FFFF0000";

    private PortListeners() {}

    /** Every listening socket's inode, with its local address and port as the table prints it. */
    static Map<Long, String> listening() throws IOException {
        Map<Long, String> listening = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) { // no tcp6 where the kernel has no IPv6
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ...
                String[] fields = line.trim().split("\\s+");
                if (fields.length > 9 && fields[3].equals(LISTEN)) {
                    listening.put(Long.parseLong(fields[9]), ipv4Form(fields[1]));
                }
            }
        }
        return listening;
    }

    /**
     * An address of {@code tcp6} that is an IPv4 one ({@code ::ffff:127.0.0.1}, as Java's and Netty's IPv6
     * sockets bind 127.0.0.1) written as {@code tcp} writes it, so that an IPv4 socket on the same address and
     * port, from a program that is not Java, compares equal.
     */
    static String ipv4Form(String address) {
        return address.length() == 32 + 5 && address.regionMatches(true, 0, V4_MAPPED, 0, V4_MAPPED.length())
                ? address.substring(V4_MAPPED.length())
                : address;
    }

    /**
     * The sockets other than {@code own} that listen on the same local address and port as one of {@code
     * own}, the address compared as the table writes it, an IPv4 one in {@code tcp6} as in {@code tcp}. Fails
     * when one of {@code own} is not listed.
     */
    static Set<Long> sharing(Set<Long> own) throws IOException {
        Map<Long, String> listening = listening();
        Set<String> addresses = new TreeSet<>();
        for (long inode : own) {
            String address = listening.get(inode);
            if (address == null) {
                throw new IOException("socket inode " + inode + " is not listed as listening");
            }
            addresses.add(address);
        }
        Set<Long> others = new TreeSet<>();
        listening.forEach((inode, address) -> {
            if (addresses.contains(address) && !own.contains(inode)) {
                others.add(inode);
            }
        });
        return others;
    }

    /** The inode of the socket behind this process's descriptor {@code fd}. */
    static long socketInode(int fd) throws IOException {
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            throw new IOException("descriptor " + fd + " is not a socket: " + target);
        }
        return Long.parseLong(target, "socket:[".length(), target.length() - 1, 10);
    }
}

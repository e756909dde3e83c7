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
                    listening.put(Long.parseLong(fields[9]), fields[1]);
                }
            }
        }
        return listening;
    }

    /**
     * The sockets other than {@code own} that listen on the same local address and port as one of {@code
     * own}: taken from the table, so an address is matched however the kernel lists it (127.0.0.1 on an IPv6
     * socket is {@code ::ffff:127.0.0.1} in {@code tcp6}). Fails when one of {@code own} is not listed.
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

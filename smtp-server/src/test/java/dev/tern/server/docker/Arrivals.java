package dev.tern.server.docker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What reached the counting receiver: the messages {@code tern sink --maildir} stored, read from its
 * {@code new/} folder. Of each message only the header section is read: the Message-ID and the newest
 * {@code Received:} field (the one the last Tern added), which names the client address that Tern saw
 * ({@code from HELO ([ADDRESS])}) and the Tern itself ({@code by HOSTNAME}).
 */
final class Arrivals {
    private static final Pattern RECEIVED = Pattern.compile("^from \\S+ \\(\\[([^\\]]+)\\]\\)\\s+by (\\S+) ");

    /** One stored message. */
    record Arrival(String messageId, String clientAddress, String by) {}

    private final List<Arrival> all;

    private Arrivals(List<Arrival> all) {
        this.all = all;
    }

    static Arrivals read(Path maildir) {
        Path folder = maildir.resolve("new");
        if (!Files.isDirectory(folder)) {
            return new Arrivals(List.of());
        }
        try (Stream<Path> files = Files.list(folder)) {
            return new Arrivals(files.map(Arrivals::arrival).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<Arrival> all() {
        return all;
    }

    /** How often each Message-ID arrived, for those of {@code ids}. */
    Map<String, Long> countsOf(Set<String> ids) {
        return all.stream()
                .filter(a -> ids.contains(a.messageId()))
                .collect(Collectors.groupingBy(Arrival::messageId, Collectors.counting()));
    }

    /** The arrivals of {@code ids}, by the Tern that passed them on. */
    Map<String, Long> perNode(Set<String> ids) {
        return all.stream()
                .filter(a -> ids.contains(a.messageId()))
                .collect(Collectors.groupingBy(Arrival::by, Collectors.counting()));
    }

    /** The client address each of {@code ids} was received from, by Message-ID (the first arrival's). */
    Map<String, String> clientAddresses(Set<String> ids) {
        Map<String, String> addresses = new HashMap<>();
        for (Arrival a : all) {
            if (ids.contains(a.messageId())) {
                addresses.putIfAbsent(a.messageId(), a.clientAddress());
            }
        }
        return addresses;
    }

    private static Arrival arrival(Path file) {
        String messageId = null;
        StringBuilder received = null;
        boolean inReceived = false;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            List<String> lines = new ArrayList<>();
            for (String line = reader.readLine(); line != null && !line.isEmpty(); line = reader.readLine()) {
                lines.add(line);
            }
            for (String line : lines) {
                boolean continuation = line.startsWith(" ") || line.startsWith("\t");
                if (inReceived && continuation) {
                    received.append(' ').append(line.strip());
                    continue;
                }
                inReceived = false;
                if (received == null && line.regionMatches(true, 0, "Received:", 0, 9)) {
                    received = new StringBuilder(line.substring(9).strip());
                    inReceived = true;
                } else if (messageId == null && line.regionMatches(true, 0, "Message-ID:", 0, 11)) {
                    messageId = line.substring(11).strip();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (messageId == null || received == null) {
            throw new IllegalStateException(file + " has no Message-ID or no Received field");
        }
        Matcher m = RECEIVED.matcher(received);
        if (!m.find()) {
            throw new IllegalStateException(file + ": Received field not understood: " + received);
        }
        return new Arrival(messageId, m.group(1), m.group(2));
    }
}

package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Durability against SIGKILL: {@code tern serve} from the built jar, in a JVM of its own, takes mail from many
 * sessions at once for local Maildirs while it also delivers: messages of about 4 KiB from 24 sessions, and of
 * about 1 MiB from 10, whose group commits are forced in parts while they are still being written; it is killed with SIGKILL in the middle of
 * that, then started again on the same data directory. Every message that was answered {@code 250} is
 * delivered after the restart, whole; nothing that was cut off mid-transfer is; and nothing is delivered
 * that was not sent. A message whose {@code 250} the kill prevented may or may not be delivered (the
 * client must send it again, RFC 5321 6.1), and a delivery done but not yet recorded before the kill is
 * done again after it: both are counted and printed.
 */
class CrashIT {
    private static final Pattern LISTENING = Pattern.compile("listening name=mx .*address=/127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ID = Pattern.compile("(?m)^Message-ID: <(\\d+)@crash\\.test>");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} sessions, {1} lines per message, killed after {2} answered 250")
    @CsvSource({"24, 50, 600", "10, 14000, 60"})
    void everyMessageAnswered250SurvivesSigkillAndNothingCutOffIsDelivered(int sessions, int lines, int killAfter)
            throws Exception {
        Path config = TernProcess.config(dir, "local: {domains: [crash.test]}\n");
        Path data = dir.resolve("data");
        Set<Integer> acked = ConcurrentHashMap.newKeySet();
        Set<Integer> unanswered = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        try (TernProcess first = TernProcess.serve(config)) {
            InetSocketAddress mx = mx(first);
            for (int i = 0; i < sessions; i++) {
                clients.add(Thread.ofVirtual().start(() -> send(mx, lines, next, acked, unanswered, killed)));
            }
            await().atMost(Duration.ofSeconds(120)).until(() -> acked.size() >= killAfter);
            killed.set(true);
            first.kill();
        }
        for (Thread client : clients) {
            client.join(Duration.ofSeconds(30));
        }
        Set<Integer> ackedAtKill = Set.copyOf(acked);

        Map<Integer, Integer> delivered;
        try (TernProcess second = TernProcess.serve(config)) {
            await().atMost(Duration.ofSeconds(120))
                    .untilAsserted(
                            () -> assertThat(deliveries(data, lines).keySet()).containsAll(ackedAtKill));
            delivered = deliveries(data, lines);
        }
        long duplicates = delivered.values().stream().filter(n -> n > 1).count();
        long unansweredDelivered =
                unanswered.stream().filter(delivered::containsKey).count();
        System.out.printf(
                "crash (%d sessions, %d lines): %d sent, %d answered 250 before the kill, %d lost; %d without an answer at the kill, %d of"
                        + " them delivered; %d delivered twice%n",
                sessions,
                lines,
                next.get(),
                ackedAtKill.size(),
                ackedAtKill.stream().filter(id -> !delivered.containsKey(id)).count(),
                unanswered.size(),
                unansweredDelivered,
                duplicates);
        assertThat(delivered.keySet())
                .as("delivered only what was sent and answered, or sent whole and not answered")
                .allMatch(id -> ackedAtKill.contains(id) || unanswered.contains(id));
    }

    /** One session after another until the kill: each message whole, then its id counted by the answer. */
    private static void send(
            InetSocketAddress mx,
            int lines,
            AtomicInteger next,
            Set<Integer> acked,
            Set<Integer> unanswered,
            AtomicBoolean killed) {
        while (!killed.get()) {
            try (RawSmtpClient c = RawSmtpClient.connect(mx)) {
                c.reply();
                c.ehlo("client.test");
                for (int m = 0; m < 20 && !killed.get(); m++) {
                    int id = next.getAndIncrement();
                    c.command("MAIL FROM:<sender@remote.test>");
                    c.command("RCPT TO:<bob@crash.test>");
                    c.command("DATA");
                    unanswered.add(id);
                    RawSmtpClient.Reply end = c.send(message(id, lines)).reply();
                    if (end.code() == 250) {
                        acked.add(id);
                        unanswered.remove(id);
                    } else {
                        unanswered.remove(id);
                    }
                }
            } catch (RuntimeException e) {
                if (!killed.get()) {
                    throw e;
                }
            }
        }
    }

    /** A message of {@code lines} lines of 84 octets or so whose last line names it: a file without it was cut off. */
    private static String message(int id, int lines) {
        return "Message-ID: <" + id + "@crash.test>\r\nSubject: crash " + id + "\r\n\r\n" + body(id, lines) + ".\r\n";
    }

    private static String body(int id, int lines) {
        StringBuilder m = new StringBuilder();
        for (int line = 0; line < lines; line++) {
            m.append("line ")
                    .append(line)
                    .append(" of message ")
                    .append(id)
                    .append(" ")
                    .append("x".repeat(60))
                    .append("\r\n");
        }
        return m.append("end of ").append(id).append("\r\n").toString();
    }

    /**
     * Message id to how many times it is in bob's Maildir; each file must hold its whole body, every line of it
     * (with LF line ends, as Maildir files have).
     */
    private static Map<Integer, Integer> deliveries(Path data, int lines) throws IOException {
        Path maildir = data.resolve("mail").resolve("crash.test").resolve("bob").resolve("new");
        Map<Integer, Integer> counts = new HashMap<>();
        if (!Files.isDirectory(maildir)) {
            return counts;
        }
        try (Stream<Path> files = Files.list(maildir)) {
            for (Path file : files.toList()) {
                String text = readOrNull(file);
                if (text == null) {
                    continue; // moved on by the reader of the Maildir (none here) or still being renamed
                }
                Matcher id = ID.matcher(text);
                assertThat(id.find()).as("a Message-ID in %s", file).isTrue();
                int n = Integer.parseInt(id.group(1));
                assertThat(text.endsWith("end of " + n + "\n")
                                && text.endsWith("\n\n" + body(n, lines).replace("\r\n", "\n")))
                        .as("%s is whole", file)
                        .isTrue();
                counts.merge(n, 1, Integer::sum);
            }
        }
        return counts;
    }

    private static String readOrNull(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InetSocketAddress mx(TernProcess tern) {
        for (String line : tern.output()) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
        }
        throw new AssertionError("no mx listener in " + tern.output());
    }
}

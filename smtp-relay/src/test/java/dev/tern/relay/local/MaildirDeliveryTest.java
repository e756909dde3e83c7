package dev.tern.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MaildirDeliveryTest {
    /** As spooled and sent: CRLF line ends. */
    private static final String MESSAGE = "Subject: hi\r\nFrom: a@example.org\r\n\r\nHello\r\n";
    /** As stored in the Maildir: LF line ends. */
    private static final String STORED = "Subject: hi\nFrom: a@example.org\n\nHello\n";

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T10:00:00.123456Z"), ZoneOffset.UTC);

    @TempDir
    Path root;

    private final AtomicReference<Thread> worker = new AtomicReference<>();
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "maildir-test");
        worker.set(t);
        return t;
    });
    private final List<ByteBuf> buffers = new ArrayList<>();

    @AfterEach
    void tearDown() throws InterruptedException {
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        buffers.forEach(ByteBuf::release);
    }

    private MaildirDelivery delivery(LocalMailboxes mailboxes) {
        return new MaildirDelivery(root, mailboxes, executor, "mx1.example.net", CLOCK);
    }

    private static LocalMailboxes mailboxes() {
        return new LocalMailboxes(
                List.of("example.net", "Other.example"),
                List.of("alice@example.net", "bob@example.net", "alice@other.example"),
                Map.of("info", "alice", "sales@other.example", "bob@example.net", "away", "someone@remote.example"),
                "+",
                "",
                "mx1.example.net");
    }

    private List<RecipientOutcome> deliver(MaildirDelivery delivery, String... recipients) throws Exception {
        return deliverMessage(delivery, MESSAGE, recipients);
    }

    private List<RecipientOutcome> deliverMessage(MaildirDelivery delivery, String message, String... recipients)
            throws Exception {
        List<RcptTo> rcpts = new ArrayList<>();
        for (String r : recipients) {
            int at = r.lastIndexOf('@');
            rcpts.add(new RcptTo(new Mailbox(r.substring(0, at), r.substring(at + 1)), RcptParameters.NONE));
        }
        Envelope envelope =
                new Envelope(new ReversePath(new Mailbox("sender", "example.org")), rcpts, MailParameters.NONE);
        ByteBuf content = Unpooled.copiedBuffer(message, StandardCharsets.UTF_8);
        buffers.add(content);
        DeliveryRequest request = new DeliveryRequest(
                new QueueId("Q1"),
                envelope,
                IntStream.range(0, rcpts.size()).boxed().toList(),
                content);
        List<RecipientOutcome> outcomes =
                delivery.deliver(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(content.readerIndex()).isZero();
        assertThat(content.refCnt()).isEqualTo(1);
        return outcomes;
    }

    private List<Path> files(String domain, String user, String sub) throws IOException {
        Path dir = root.resolve(domain).resolve(user).resolve(sub);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void writesMessageIntoNewWithReturnPathAndDeliveredTo() throws Exception {
        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "Alice@EXAMPLE.net");

        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.recipientIndex()).isZero();
            assertThat(o.status()).isEqualTo(DeliveryStatus.DELIVERED);
        });
        List<Path> fresh = files("example.net", "alice", "new");
        assertThat(fresh).hasSize(1);
        assertThat(Files.readString(fresh.get(0)))
                .isEqualTo("Return-Path: <sender@example.org>\nDelivered-To: alice@example.net\n" + STORED);
        assertThat(fresh.get(0).getFileName().toString())
                .matches("1740823200\\.M123456P\\d+Q\\d+\\.mx1\\.example\\.net");
        assertThat(files("example.net", "alice", "tmp")).isEmpty();
        assertThat(root.resolve("example.net/alice/cur")).isDirectory();
        assertThat(Files.getPosixFilePermissions(root.resolve("example.net/alice")))
                .containsExactlyInAnyOrder(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    void leavesOutTheReturnPathFieldsTheMessageCameWith() throws Exception {
        String message =
                "Return-Path: <forged@evil.example>\r\nSubject: hi\r\nreturn-path :\r\n <other@evil.example>\r\n"
                        + "Delivered-To: someone@else.example\r\n\r\nReturn-Path: <in@the.body>\r\n";

        deliverMessage(delivery(mailboxes()), message, "alice@example.net");

        // RFC 5321 4.4: the delivering server's own Return-Path alone; the body is left as it is.
        assertThat(Files.readString(files("example.net", "alice", "new").get(0)))
                .isEqualTo("Return-Path: <sender@example.org>\nDelivered-To: alice@example.net\n"
                        + "Subject: hi\nDelivered-To: someone@else.example\n\nReturn-Path: <in@the.body>\n");
    }

    @Test
    void refusesAMessageDeliveredToTheSameMailboxBeforeAsALoop() throws Exception {
        String message = "Delivered-To: Alice@Example.net\r\nSubject: again\r\n\r\nbody\r\n";

        List<RecipientOutcome> outcomes = deliverMessage(delivery(mailboxes()), message, "alice@example.net");

        // Postfix's local delivery: "mail forwarding loop for alice@example.net", bounced rather than stored again.
        assertThat(outcomes).singleElement().satisfies(o -> {
            assertThat(o.status()).isEqualTo(DeliveryStatus.PERMANENT);
            assertThat(o.enhancedStatus()).hasToString("5.4.6");
            assertThat(o.diagnostic()).isEqualTo("mail forwarding loop for alice@example.net");
        });
        assertThat(files("example.net", "alice", "new")).isEmpty();
    }

    @Test
    void runsFileWorkOnTheBlockingExecutorNotTheCaller() throws Exception {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        MaildirDelivery delivery = delivery(mailboxes());
        List<RcptTo> rcpts = List.of(new RcptTo(new Mailbox("bob", "example.net"), RcptParameters.NONE));
        ByteBuf content = Unpooled.copiedBuffer(MESSAGE, StandardCharsets.UTF_8);
        buffers.add(content);
        DeliveryRequest request = new DeliveryRequest(
                new QueueId("Q2"), new Envelope(ReversePath.NULL, rcpts, MailParameters.NONE), List.of(0), content);

        List<RecipientOutcome> outcomes = delivery.deliver(request)
                .thenApply(o -> {
                    ranOn.set(Thread.currentThread());
                    return o;
                })
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertThat(outcomes).extracting(RecipientOutcome::status).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(ranOn.get()).isNotSameAs(Thread.currentThread()).isSameAs(worker.get());
        assertThat(Files.readString(files("example.net", "bob", "new").get(0))).startsWith("Return-Path: <>\n");
    }

    @Test
    void resolvesAliasesToTheirTargetMailbox() throws Exception {
        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "INFO@other.example", "sales@other.example");

        assertThat(outcomes)
                .extracting(RecipientOutcome::status)
                .containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED);
        // "info" is an alias in every local domain; its target has no domain, so it stays in other.example.
        assertThat(files("other.example", "alice", "new")).hasSize(1);
        // "sales@other.example" names its target's domain explicitly.
        assertThat(Files.readString(files("example.net", "bob", "new").get(0)))
                .contains("Delivered-To: bob@example.net\n");
    }

    @Test
    void failsUnknownUserPermanentlyButAcceptsPostmaster() throws Exception {
        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "carol@example.net", "PostMaster@example.net");

        assertThat(outcomes.get(0).status()).isEqualTo(DeliveryStatus.PERMANENT);
        assertThat(outcomes.get(0).enhancedStatus()).hasToString("5.1.1");
        assertThat(outcomes.get(0).recipientIndex()).isZero();
        assertThat(outcomes.get(1).status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(outcomes.get(1).recipientIndex()).isEqualTo(1);
        assertThat(root.resolve("example.net/carol")).doesNotExist();
        assertThat(files("example.net", "postmaster", "new")).hasSize(1);
    }

    @Test
    void acceptsAnyLocalPartWhenNoMailboxesAreListed() throws Exception {
        LocalMailboxes any = new LocalMailboxes(List.of("example.net"), List.of(), Map.of(), "", "", "mx1.example.net");

        assertThat(deliver(delivery(any), "whoever@example.net"))
                .extracting(RecipientOutcome::status)
                .containsExactly(DeliveryStatus.DELIVERED);
        assertThat(files("example.net", "whoever", "new")).hasSize(1);
    }

    @Test
    void deliversAnAddressExtensionToItsMailboxNamingItInDeliveredTo() throws Exception {
        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "Bob+Lists@example.net");

        assertThat(outcomes).extracting(RecipientOutcome::status).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(Files.readString(files("example.net", "bob", "new").get(0)))
                .startsWith("Return-Path: <sender@example.org>\nDelivered-To: bob+lists@example.net\n");
        assertThat(root.resolve("example.net/bob+lists")).doesNotExist();
    }

    /**
     * One copy per distinct address delivered to, as Postfix delivers: the same address in another case, or
     * an alias of it, is one copy; an extension is another address, with its own Delivered-To.
     */
    @Test
    void storesOneCopyForEachDistinctAddressDeliveredTo() throws Exception {
        List<RecipientOutcome> outcomes = deliver(
                delivery(mailboxes()),
                "alice@example.net",
                "ALICE@example.net",
                "info@example.net",
                "alice+x@example.net",
                "Info+y@example.net",
                "Alice+X@example.net");

        assertThat(outcomes).extracting(RecipientOutcome::recipientIndex).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(outcomes).extracting(RecipientOutcome::status).containsOnly(DeliveryStatus.DELIVERED);
        List<String> deliveredTo = new ArrayList<>();
        for (Path file : files("example.net", "alice", "new")) {
            deliveredTo.add(Files.readString(file).lines().skip(1).findFirst().orElseThrow());
        }
        assertThat(deliveredTo)
                .containsExactlyInAnyOrder("Delivered-To: alice@example.net", "Delivered-To: alice+x@example.net");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "..          | parent directory",
                ".           | current directory",
                ".hidden     | leading dot (Maildir++ subfolders)",
                "a/b         | path separator",
                "a\\b        | backslash separator",
                "tab\there   | control character",
            })
    void refusesLocalPartsThatAreNotSafeFolderNames(String localPart, String why) throws Exception {
        LocalMailboxes any = new LocalMailboxes(List.of("example.net"), List.of(), Map.of(), "", "", "mx1.example.net");
        String decoded = localPart.replace("\\t", "\t").replace("\\\\", "\\");

        List<RecipientOutcome> outcomes = deliver(delivery(any), decoded + "@example.net");

        assertThat(outcomes.get(0).status()).as(why).isEqualTo(DeliveryStatus.PERMANENT);
        assertThat(outcomes.get(0).enhancedStatus()).hasToString("5.1.3");
        try (Stream<Path> all = Files.walk(root)) {
            assertThat(all.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void defersWhenTheMailboxCannotBeCreated() throws Exception {
        Files.createDirectories(root.resolve("example.net"));
        // A regular file where the user's folder belongs: creating tmp/ under it fails.
        Files.writeString(root.resolve("example.net/bob"), "not a folder");

        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "bob@example.net", "alice@example.net");

        assertThat(outcomes.get(0).status()).isEqualTo(DeliveryStatus.TEMPORARY);
        assertThat(outcomes.get(0).enhancedStatus()).hasToString("4.3.0");
        assertThat(outcomes.get(0).diagnostic()).doesNotContain(root.toString());
        assertThat(outcomes.get(1).status()).isEqualTo(DeliveryStatus.DELIVERED);
    }

    @Test
    void refusesAliasesThatForwardOutsideTheLocalDomains() throws Exception {
        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "away@example.net");

        assertThat(outcomes.get(0).status()).isEqualTo(DeliveryStatus.PERMANENT);
        assertThat(outcomes.get(0).enhancedStatus()).hasToString("5.3.5");
    }

    @Test
    void defersUnknownDomainsAsAConfigurationProblem() throws Exception {
        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "alice@elsewhere.example");

        assertThat(outcomes.get(0).status()).isEqualTo(DeliveryStatus.TEMPORARY);
        assertThat(outcomes.get(0).enhancedStatus()).hasToString("4.3.5");
    }

    @Test
    void defersWhenTheExecutorRefusesWork() throws Exception {
        executor.shutdown();

        List<RecipientOutcome> outcomes = deliver(delivery(mailboxes()), "alice@example.net");

        assertThat(outcomes).extracting(RecipientOutcome::status).containsExactly(DeliveryStatus.TEMPORARY);
        assertThat(root.resolve("example.net")).doesNotExist();
    }

    @Test
    void givesEveryMessageItsOwnFile() throws Exception {
        MaildirDelivery delivery = delivery(mailboxes());
        for (int i = 0; i < 20; i++) {
            deliver(delivery, "bob@example.net");
        }
        assertThat(files("example.net", "bob", "new")).hasSize(20);
    }
}

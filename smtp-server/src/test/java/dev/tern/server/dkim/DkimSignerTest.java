package dev.tern.server.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.testing.TestDnsServer;
import dev.tern.server.testing.DkimVerifier;
import dev.tern.server.testing.ExternalTools;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Signatures made by {@link DkimSigner}, checked by an independent verifier (dkimpy) against DNS on loopback. */
class DkimSignerTest {
    static final List<String> HEADERS = List.of(
            "From",
            "To",
            "Cc",
            "Subject",
            "Date",
            "Message-ID",
            "MIME-Version",
            "Content-Type",
            "Content-Transfer-Encoding",
            "Reply-To",
            "In-Reply-To",
            "References");
    private static final String HEAD = "From: Alice <alice@example.com>\r\nTo: bob@example.net\r\n"
            + "Subject: test\r\nDate: Fri, 04 Dec 2026 07:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n";

    static TestDnsServer dns;
    static DkimKey rsa;
    static DkimKey ed;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        dns = TestDnsServer.start();
        KeyPair rsaPair = generate("RSA");
        KeyPair edPair = generate("Ed25519");
        rsa = new DkimKey("r1", DkimAlgorithm.RSA_SHA256, rsaPair.getPrivate());
        ed = new DkimKey("e1", DkimAlgorithm.ED25519_SHA256, edPair.getPrivate());
        publish("r1", "example.com", DkimAlgorithm.RSA_SHA256, rsaPair);
        publish("e1", "example.com", DkimAlgorithm.ED25519_SHA256, edPair);
        publish("r1", "other.example", DkimAlgorithm.RSA_SHA256, rsaPair);
    }

    static KeyPair generate(String algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("RSA")) {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    static void publish(String selector, String domain, DkimAlgorithm algorithm, KeyPair pair) {
        dns.txt(
                DkimKeyRecord.name(selector, domain),
                DkimKeyRecord.strings(DkimKeyRecord.text(algorithm, pair.getPublic())));
    }

    @AfterAll
    static void stop() throws Exception {
        dns.close();
    }

    static DkimSigner signer(Map<String, List<DkimKey>> domains, String canonicalization, Duration expireAfter) {
        return new DkimSigner(
                domains,
                Canonicalization.parse(canonicalization),
                HEADERS,
                expireAfter,
                Runnable::run,
                // Fixed, so that two signatures of one message can be compared.
                Clock.fixed(Instant.now(), ZoneOffset.UTC),
                DkimMetrics.NONE);
    }

    /** The message in chunks of {@code size} octets, alternately heap and direct, as a composite buffer has them. */
    static ByteBuffer[] chunks(byte[] message, int size) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0, n = 0; i < message.length; i += size, n++) {
            int length = Math.min(size, message.length - i);
            ByteBuffer b = n % 2 == 0 ? ByteBuffer.allocate(length) : ByteBuffer.allocateDirect(length);
            b.put(message, i, length).flip();
            out.add(b);
        }
        return out.toArray(ByteBuffer[]::new);
    }

    ExternalTools.Run verify(String signature, byte[] message) throws Exception {
        byte[] head = signature.getBytes(StandardCharsets.US_ASCII);
        byte[] signed = new byte[head.length + message.length];
        System.arraycopy(head, 0, signed, 0, head.length);
        System.arraycopy(message, 0, signed, head.length, message.length);
        return DkimVerifier.verify(dir, signed, dns.port());
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # algorithm | c=              | case
            rsa         | relaxed/relaxed | plain
            ed25519     | relaxed/relaxed | plain
            rsa         | simple/simple   | plain
            ed25519     | simple/simple   | plain
            ed25519     | relaxed/simple  | plain
            rsa         | simple/relaxed  | plain
            # 8-bit body: UTF-8 and Latin-1 octets
            ed25519     | relaxed/relaxed | eightbit
            rsa         | simple/simple   | eightbit
            # the body does not end with CRLF (BDAT may send that)
            ed25519     | relaxed/relaxed | nofinalcrlf
            rsa         | simple/simple   | nofinalcrlf
            # empty body: CRLF for simple, nothing for relaxed
            ed25519     | relaxed/relaxed | emptybody
            rsa         | simple/simple   | emptybody
            # no empty line at all: only a header section
            ed25519     | relaxed/relaxed | noseparator
            rsa         | simple/simple   | noseparator
            # empty lines, and lines of white space, at the end
            ed25519     | relaxed/relaxed | trailingblank
            rsa         | simple/simple   | trailingblank
            # runs of spaces and tabs inside and at the end of lines
            ed25519     | relaxed/relaxed | whitespace
            rsa         | simple/simple   | whitespace
            # folded fields, odd case, white space after the colon and at the end
            ed25519     | relaxed/relaxed | folded
            rsa         | simple/simple   | folded
            # white space on the last, unterminated, line
            ed25519     | relaxed/relaxed | lastlinespace
            ed25519     | simple/simple   | lastlinespace
            """)
    void signatureVerifies(String algorithm, String canonicalization, String bodyCase) throws Exception {
        DkimKey key = algorithm.equals("rsa") ? rsa : ed;
        byte[] message = message(bodyCase);
        DkimSigner signer = signer(Map.of("example.com", List.of(key)), canonicalization, Duration.ZERO);
        // In chunks of 3 octets, so CRLF and white space runs are cut between buffers.
        String signature = signer.signNow(chunks(message, 3));
        assertThat(signature)
                .contains("c=" + canonicalization)
                .contains("a=" + key.algorithm().tag());
        assertThat(signer.signNow(chunks(message, message.length + 1))).isEqualTo(signature);

        ExternalTools.Run run = verify(signature, message);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("0 pass " + key.algorithm().tag() + " example.com");
    }

    static byte[] message(String bodyCase) {
        String text =
                switch (bodyCase) {
                    case "plain" -> HEAD + "\r\nHello Bob,\r\n\r\nsee you.\r\n";
                    case "eightbit" ->
                        HEAD + "Content-Type: text/plain; charset=utf-8\r\n"
                                + "Content-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln, ça va ? 日本語\r\n";
                    case "nofinalcrlf" -> HEAD + "\r\nno line end at the end";
                    case "emptybody" -> HEAD + "\r\n";
                    case "noseparator" -> HEAD;
                    case "trailingblank" -> HEAD + "\r\nbody\r\n\r\n \t \r\n\r\n";
                    case "whitespace" -> HEAD + "\r\n  lead \t and   runs\t\r\n\t\r\nend  \t \r\n";
                    case "folded" ->
                        "FROM:  Alice\r\n  <alice@example.com>\r\nSubject:  a\r\n\tfolded\r\n   subject  \r\n"
                                + "To:\tbob@example.net \r\n\r\nbody\r\n";
                    case "lastlinespace" -> HEAD + "\r\nfirst\r\n\r\nlast  line  \t";
                    default -> throw new IllegalArgumentException(bodyCase);
                };
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bodyCase.equals("eightbit")) {
            // And one Latin-1 octet that is no UTF-8.
            byte[] more = new byte[bytes.length + 3];
            System.arraycopy(bytes, 0, more, 0, bytes.length);
            more[bytes.length] = (byte) 0xE9;
            more[bytes.length + 1] = '\r';
            more[bytes.length + 2] = '\n';
            return more;
        }
        return bytes;
    }

    @Test
    void dualSigningGivesTwoSignaturesThatBothVerify() throws Exception {
        byte[] message = message("plain");
        String signature = signer(Map.of("example.com", List.of(rsa, ed)), "relaxed/relaxed", Duration.ZERO)
                .signNow(chunks(message, 64));

        assertThat(Pattern.compile("^DKIM-Signature:", Pattern.MULTILINE)
                        .matcher(signature)
                        .results())
                .hasSize(2);
        ExternalTools.Run run = verify(signature, message);
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output())
                .contains("signatures 2", "0 pass rsa-sha256 example.com r1", "1 pass ed25519-sha256 example.com e1");
    }

    @Test
    void aChangedBodyOrAddedFromFailsVerification() throws Exception {
        byte[] message = message("plain");
        String signature = signer(Map.of("example.com", List.of(ed)), "relaxed/relaxed", Duration.ZERO)
                .signNow(chunks(message, 64));

        byte[] changed = new String(message, StandardCharsets.UTF_8)
                .replace("see you", "see yoU")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(verify(signature, changed).exit()).isNotZero();
        // From is signed once more than present, so a second From cannot be slipped in (RFC 6376 8.15).
        byte[] secondFrom = ("From: mallory@evil.example\r\n" + new String(message, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        assertThat(verify(signature, secondFrom).exit()).isNotZero();
        assertThat(verify(signature, message).exit()).isZero();
    }

    @Test
    void signsOnlyPresentFieldsAndFromOnceMore() {
        String signature = signer(Map.of("example.com", List.of(ed)), "relaxed/relaxed", Duration.ofDays(7))
                .signNow(chunks(message("plain"), 64));

        Matcher h = Pattern.compile("h=([^;]*);").matcher(signature);
        assertThat(h.find()).isTrue();
        assertThat(h.group(1)).isEqualTo("from:from:to:subject:date:message-id");
        Matcher t = Pattern.compile("t=(\\d+); x=(\\d+);").matcher(signature);
        assertThat(t.find()).isTrue();
        assertThat(Long.parseLong(t.group(2)) - Long.parseLong(t.group(1)))
                .isEqualTo(Duration.ofDays(7).toSeconds());
        assertThat(signature).doesNotContain("l=").endsWith("\r\n");
        assertThat(signature.lines()).allMatch(line -> line.length() <= 78);
    }

    @Test
    void foldsALongHeaderListAndStillVerifies() throws Exception {
        String text = HEAD + "Cc: c@example.net\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
                + "Content-Transfer-Encoding: 7bit\r\nReply-To: r@example.com\r\nIn-Reply-To: <0@example.com>\r\n"
                + "References: <0@example.com>\r\n\r\nbody\r\n";
        byte[] message = text.getBytes(StandardCharsets.US_ASCII);
        for (String c : List.of("relaxed/relaxed", "simple/simple")) {
            String signature = signer(Map.of("example.com", List.of(rsa, ed)), c, Duration.ZERO)
                    .signNow(chunks(message, 64));
            assertThat(signature.lines()).allMatch(line -> line.length() <= 78);
            assertThat(signature.replaceAll("\\s", ""))
                    .contains("h=from:from:to:cc:subject:date:message-id:mime-version:content-type:"
                            + "content-transfer-encoding:reply-to:in-reply-to:references;");
            ExternalTools.Run run = verify(signature, message);
            assertThat(run.exit()).as(run.output()).isZero();
        }
    }

    @Test
    void theStarEntrySignsAnyOtherDomainWithItsOwnName() throws Exception {
        byte[] message = message("plain");
        String other = new String(message, StandardCharsets.UTF_8).replace("alice@example.com", "carol@Other.Example");
        byte[] otherMessage = other.getBytes(StandardCharsets.UTF_8);
        DkimSigner signer = signer(Map.of("*", List.of(rsa)), "relaxed/relaxed", Duration.ZERO);

        String signature = signer.signNow(chunks(otherMessage, 64));

        assertThat(signature).contains("d=other.example;");
        ExternalTools.Run run = verify(signature, otherMessage);
        assertThat(run.exit()).as(run.output()).isZero();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # no From at all
            To: bob@example.net\\r\\n\\r\\nbody\\r\\n
            # two From fields
            From: a@example.com\\r\\nFrom: b@example.com\\r\\n\\r\\nbody\\r\\n
            # a domain without a key, and no * entry
            From: a@elsewhere.example\\r\\n\\r\\nbody\\r\\n
            # a group of several addresses
            From: a@example.com, b@example.com\\r\\n\\r\\nbody\\r\\n
            # no address
            From: undisclosed\\r\\n\\r\\nbody\\r\\n
            """)
    void leavesUnsigned(String text) {
        byte[] message = text.replace("\\r\\n", "\r\n").getBytes(StandardCharsets.US_ASCII);
        assertThat(signer(Map.of("example.com", List.of(ed)), "relaxed/relaxed", Duration.ZERO)
                        .signNow(chunks(message, 64)))
                .isEmpty();
    }

    @Test
    void signsACompositeBufferOnTheExecutorWithoutReleasingIt() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        byte[] message = message("plain");
        CompositeByteBuf buf = Unpooled.compositeBuffer();
        ByteBuf direct = Unpooled.directBuffer(10).writeBytes(message, 0, 10);
        buf.addComponents(true, direct, Unpooled.copiedBuffer(message, 10, message.length - 10));
        try {
            DkimSigner signer = new DkimSigner(
                    Map.of("example.com", List.of(ed)),
                    Canonicalization.RELAXED,
                    HEADERS,
                    Duration.ZERO,
                    executor,
                    Clock.systemUTC(),
                    DkimMetrics.NONE);
            String signature = signer.sign(buf).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(buf.refCnt()).isEqualTo(1);
            assertThat(buf.readerIndex()).isZero();
            ExternalTools.Run run = verify(signature, message);
            assertThat(run.exit()).as(run.output()).isZero();
        } finally {
            buf.release();
            executor.shutdownNow();
        }
    }
}

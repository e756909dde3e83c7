package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.testing.LogLines;
import dev.tern.relay.testing.PeerSession;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.ReversePath;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Transactions against a scripted peer on loopback: envelope, replies per recipient, content. */
class SmtpClientTransactionTest {
    private static final String MESSAGE = "Subject: hi\r\n\r\nHello.\r\n";

    private final ClientFixture fixture = new ClientFixture();
    private final ScriptedSmtpPeer peer = ScriptedSmtpPeer.start();
    private final SmtpClient client = fixture.client(ClientFixture.options());

    @AfterEach
    void close() throws Exception {
        peer.close();
        fixture.close();
    }

    @Test
    void deliversAMessageInPlaintext() throws Exception {
        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test", "b@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED);
        assertThat(((Completed) result).outcomes())
                .extracting(RecipientOutcome::recipientIndex, RecipientOutcome::remoteMta)
                .containsExactly(tuple(0, "peer.test"), tuple(1, "peer.test"));
        assertThat(((Completed) result).outcomes()).allSatisfy(o -> {
            assertThat(o.remoteReply()).isEqualTo(new SmtpReply(250, "2.0.0", "Ok: queued as SCRIPTED"));
            assertThat(o.remoteDsn()).isFalse();
        });
        assertThat(peer.messages()).singleElement().satisfies(m -> {
            assertThat(m.mailFrom()).isEqualTo("FROM:<sender@origin.test>");
            assertThat(m.rcptTo()).containsExactly("TO:<a@dest.test>", "TO:<b@dest.test>");
            assertThat(new String(m.content(), StandardCharsets.UTF_8)).isEqualTo(MESSAGE);
            assertThat(m.chunked()).isFalse();
        });
        assertThat(peer.sessions().get(0).commands()).first().isEqualTo("EHLO client.test");
    }

    /**
     * RFC 5321 4.4: the Return-Path fields a message came with are not sent on (the receiving server writes its
     * own); a folded one goes with all its lines, and a field that merely mentions it stays.
     */
    @Test
    void leavesOutTheReturnPathFieldsTheMessageCameWith() throws Exception {
        String message = "Return-Path: <ceo@example.org>\r\nFrom: a@origin.test\r\nreturn-path :\r\n <x@y>\r\n"
                + "X-Note: Return-Path: kept\r\nSubject: s\r\n\r\nReturn-Path: in the body\r\n";
        AttemptResult result = deliver(fixture.request(message, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.messages()).singleElement().satisfies(m -> assertThat(
                        new String(m.content(), StandardCharsets.UTF_8))
                .isEqualTo("From: a@origin.test\r\nX-Note: Return-Path: kept\r\nSubject: s\r\n\r\n"
                        + "Return-Path: in the body\r\n"));
    }

    /** A Return-Path that is the last field of a message with no body goes too (the removal runs to the end). */
    @Test
    void leavesOutAReturnPathThatEndsTheMessage() throws Exception {
        AttemptResult result =
                deliver(fixture.request("From: a@origin.test\r\nSubject: s\r\nReturn-Path: <g4@x>\r\n", "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.messages()).singleElement().satisfies(m -> assertThat(
                        new String(m.content(), StandardCharsets.UTF_8))
                .isEqualTo("From: a@origin.test\r\nSubject: s\r\n"));
    }

    @Test
    void pipelinesMailRcptAndDataInOneWrite() throws Exception {
        peer.rcptReply("b@dest.test", "550 5.1.1 no such user");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test", "b@dest.test", "c@dest.test"));

        assertThat(statuses(result))
                .containsExactly(DeliveryStatus.DELIVERED, DeliveryStatus.PERMANENT, DeliveryStatus.DELIVERED);
        List<PeerSession.Line> lines = peer.sessions().get(0).lines();
        List<PeerSession.Line> burst = lines.subList(1, 6);
        assertThat(burst)
                .extracting(PeerSession.Line::text)
                .containsExactly(
                        "MAIL FROM:<sender@origin.test>",
                        "RCPT TO:<a@dest.test>",
                        "RCPT TO:<b@dest.test>",
                        "RCPT TO:<c@dest.test>",
                        "DATA");
        // One write from the client arrives in one read on loopback (RFC 2920 3.1).
        assertThat(burst)
                .extracting(PeerSession.Line::read)
                .containsOnly(burst.get(0).read());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void takesTooManyRecipientsAs552AsTemporaryButAFullMailboxAsPermanent(boolean pipelining) throws Exception {
        peer.extensions(pipelining ? new String[] {"PIPELINING"} : new String[] {"8BITMIME"});
        // RFC 5321 4.5.3.1.10: RFC 821's 552 for too many recipients is 452, and is taken as such.
        peer.rcptReply("third@dest.test", "552 5.5.3 too many recipients");
        peer.rcptReply("full@dest.test", "552 5.2.2 mailbox full");
        peer.rcptReply("plain@dest.test", "552 too many recipients");

        AttemptResult result = deliver(
                fixture.request(MESSAGE, "ok@dest.test", "third@dest.test", "full@dest.test", "plain@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.enhancedStatus() + " " + o.diagnostic())
                .containsExactly(
                        "DELIVERED 2.0.0 250 Ok: queued as SCRIPTED",
                        "TEMPORARY 4.5.3 552 too many recipients",
                        "PERMANENT 5.2.2 552 mailbox full",
                        "PERMANENT 5.0.0 552 too many recipients");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void failsOnlyTheRejectedRecipients(boolean pipelining) throws Exception {
        peer.extensions(pipelining ? new String[] {"PIPELINING"} : new String[] {"8BITMIME"});
        peer.rcptReply("temp@dest.test", "450 4.2.1 mailbox busy");
        peer.rcptReply("gone@dest.test", "550 5.1.1 no such user");

        AttemptResult result = deliver(fixture.request(MESSAGE, "temp@dest.test", "ok@dest.test", "gone@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.enhancedStatus())
                .containsExactly("TEMPORARY 4.2.1", "DELIVERED 2.0.0", "PERMANENT 5.1.1");
        assertThat(peer.messages()).singleElement().satisfies(m -> assertThat(m.rcptTo())
                .containsExactly("TO:<ok@dest.test>"));
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sendsNoContentWhenNoRecipientIsAccepted(boolean pipelining) throws Exception {
        peer.extensions(pipelining ? new String[] {"PIPELINING"} : new String[] {"8BITMIME"});
        peer.rcptReply("a@dest.test", "550 5.1.1 no such user");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.PERMANENT);
        assertThat(peer.messages()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eachRecipientCarriesTheReplyThatDecidedItAndWhetherTheHostHasDsn(boolean dsn) throws Exception {
        peer.extensions(dsn ? new String[] {"PIPELINING", "DSN"} : new String[] {"PIPELINING"});
        peer.rcptReply("gone@dest.test", "550-5.1.1 no such user\r\n550 5.1.1 try another address");
        peer.rcptReply("busy@dest.test", "450 mailbox busy"); // no enhanced code

        AttemptResult result = deliver(fixture.request(MESSAGE, "ok@dest.test", "gone@dest.test", "busy@dest.test"));

        // What the queue side needs for the DSN: Remote-MTA, Diagnostic-Code, relayed or delivered.
        assertThat(((Completed) result).outcomes())
                .extracting(RecipientOutcome::remoteMta, RecipientOutcome::remoteReply, RecipientOutcome::remoteDsn)
                .containsExactly(
                        tuple("peer.test", new SmtpReply(250, "2.0.0", "Ok: queued as SCRIPTED"), dsn),
                        tuple(
                                "peer.test",
                                new SmtpReply(
                                        550,
                                        EnhancedStatus.parse("5.1.1"),
                                        List.of("no such user", "try another address")),
                                dsn),
                        tuple("peer.test", new SmtpReply(450, "mailbox busy"), dsn));
    }

    @Test
    void logsOneLineWithThePeerAndEveryReplyWithItsEnhancedCode() throws Exception {
        peer.rcptReply("gone@dest.test", "550 5.1.1 no such user");

        try (LogLines log = LogLines.of(SmtpClient.class)) {
            deliver(fixture.request(MESSAGE, "gone@dest.test", "ok@dest.test"));

            assertThat(log.lines())
                    .containsExactly("id=Q1 peer=peer.test[127.0.0.1]:" + peer.port()
                            + " tls=no: delivered=1 deferred=0 failed=1:"
                            + " 550 5.1.1 no such user (1); 250 2.0.0 Ok: queued as SCRIPTED (1)");
        }
    }

    @Test
    void rejectedMailFailsEveryRecipientWithItsReply() throws Exception {
        peer.reply("MAIL", "553 5.7.1 sender refused");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test", "b@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.enhancedStatus())
                .containsExactly("PERMANENT 5.7.1", "PERMANENT 5.7.1");
    }

    @Test
    void finalReplyDecidesForEveryAcceptedRecipient() throws Exception {
        peer.reply(".", "452 4.3.1 insufficient storage");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test", "b@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.diagnostic())
                .containsExactly("TEMPORARY 452 insufficient storage", "TEMPORARY 452 insufficient storage");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // verb      | reply
                "greeting    | 421 4.3.2 too busy",
                "greeting    | 554 5.3.2 no service here",
                "MAIL        | 421 4.3.2 shutting down",
                "RCPT        | 421 4.3.2 shutting down",
            })
    void failsTheHostOnBadGreetingOr421(String verb, String reply) throws Exception {
        if (verb.equals("greeting")) {
            peer.greeting(reply);
        } else if (verb.equals("RCPT")) {
            peer.rcptReply("a@dest.test", reply);
        } else {
            peer.reply(verb, reply);
        }

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test"));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
            assertThat(f.enhancedStatus().statusClass()).isEqualTo(4);
            assertThat(f.diagnostic()).contains(reply);
            assertThat(f.remoteMta()).isEqualTo("peer.test");
            assertThat(f.remoteReply().code()).isEqualTo(Integer.parseInt(reply.substring(0, 3)));
        });
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void failsTheHostWhenTheConnectionIsRefused() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }

        try (LogLines log = LogLines.of(SmtpClient.class)) {
            AttemptResult result =
                    fixture.deliver(client, closed, ClientRoute.mx(), fixture.request(MESSAGE, "a@x.test"));

            assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
                assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                assertThat(f.enhancedStatus()).hasToString("4.4.1");
                // In words, not as io.netty.channel.AbstractChannel$AnnotatedConnectException: ...
                assertThat(f.diagnostic()).isEqualTo("connection refused");
            });
            assertThat(log.lines())
                    .containsExactly("id=Q1 peer=peer.test[127.0.0.1]:" + closed.getPort()
                            + " tls=-: host failed 4.4.1 connection refused");
        }
    }

    @Test
    void fallsBackToHeloWhenEhloIsRejected() throws Exception {
        peer.reply("EHLO", "502 5.5.1 what is EHLO");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).commands()).startsWith("EHLO client.test", "HELO client.test");
    }

    @Test
    void failsEveryRecipientPermanentlyWhenTheMessageExceedsSize() throws Exception {
        peer.extensions("PIPELINING", "SIZE 10");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test", "b@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.enhancedStatus())
                .containsExactly("PERMANENT 5.3.4", "PERMANENT 5.3.4");
        assertThat(peer.sessions().get(0).commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void announcesTheSizeWhenTheServerHasSize() throws Exception {
        peer.extensions("SIZE 1000");

        deliver(fixture.request(MESSAGE, "a@dest.test"));

        assertThat(peer.sessions().get(0).commands())
                .contains("MAIL FROM:<sender@origin.test> SIZE=" + MESSAGE.length());
    }

    @Test
    void failsWith567WhenTheEnvelopeNeedsSmtpUtf8AndTheServerLacksIt() throws Exception {
        AttemptResult result =
                deliver(fixture.request(MailParameters.NONE, "sender@origin.test", MESSAGE, "jösé@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.enhancedStatus())
                .containsExactly("PERMANENT 5.6.7");
        assertThat(peer.sessions().get(0).commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void sendsAnAllAsciiMessageFlaggedSmtpUtf8WithoutTheFlagToAServerThatLacksIt() throws Exception {
        MailParameters flagged = new MailParameters(-1, MailParameters.Body.SEVEN_BIT, true, null, null, null);

        AttemptResult result = deliver(fixture.request(flagged, "sender@origin.test", MESSAGE, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).commands()).contains("MAIL FROM:<sender@origin.test>");
    }

    @Test
    void failsWith567WhenTheHeaderNeedsSmtpUtf8AndTheServerLacksIt() throws Exception {
        MailParameters flagged = new MailParameters(-1, MailParameters.Body.SEVEN_BIT, true, null, null, null);
        String header = "Subject: caf\u00e9\r\n\r\nbody\r\n";

        AttemptResult result = deliver(fixture.request(flagged, "sender@origin.test", header, "a@dest.test"));

        assertThat(((Completed) result).outcomes())
                .extracting(o -> o.status() + " " + o.enhancedStatus())
                .containsExactly("PERMANENT 5.6.7");
    }

    /** RFC 6152 3: no 8-bit octet to a server without 8BITMIME; with it, the message goes as it came. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void sendsAn8BitMimeMessageQuotedPrintableOnlyToAServerWithout8BitMime(boolean offered) throws Exception {
        peer.extensions(offered ? "8BITMIME" : "PIPELINING");
        MailParameters eightBit = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, false, null, null, null);
        String message = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\nh\u00e9llo\r\n";

        AttemptResult result = deliver(fixture.request(eightBit, "sender@origin.test", message, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        byte[] received = peer.messages().get(0).content();
        if (offered) {
            assertThat(peer.sessions().get(0).commands()).contains("MAIL FROM:<sender@origin.test> BODY=8BITMIME");
            assertThat(received).isEqualTo(message.getBytes(StandardCharsets.UTF_8));
        } else {
            assertThat(peer.sessions().get(0).commands()).contains("MAIL FROM:<sender@origin.test>");
            assertThat(new String(received, StandardCharsets.ISO_8859_1))
                    .isEqualTo("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                            + "Content-Transfer-Encoding: quoted-printable\r\n\r\nh=C3=A9llo\r\n");
        }
    }

    /**
     * RFC 6152 3: 8-bit content its sender did not declare goes as BODY=8BITMIME, as Postfix sends it; without
     * the parameter a next hop takes it for 7-bit and would pass it as it is to a server without 8BITMIME.
     */
    @ParameterizedTest(name = "8-bit content: {0}")
    @ValueSource(booleans = {true, false})
    void declaresUndeclared8BitContentToAServerWith8BitMime(boolean eightBit) throws Exception {
        peer.extensions("8BITMIME");
        String message = "Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                + (eightBit ? "\u00e9t\u00e9" : "ete") + "\r\n";

        AttemptResult result =
                deliver(fixture.request(MailParameters.NONE, "sender@origin.test", message, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).commands())
                .contains(eightBit ? "MAIL FROM:<sender@origin.test> BODY=8BITMIME" : "MAIL FROM:<sender@origin.test>");
        assertThat(peer.messages().get(0).content()).isEqualTo(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A long 8-bit line to a server without 8BITMIME is converted before any folding: quoted-printable's soft
     * breaks carry it unchanged, where folding first would add line breaks and spaces to the text.
     */
    @Test
    void convertsALong8BitLineWithoutFoldingItsText() throws Exception {
        peer.extensions("PIPELINING");
        String text = "b".repeat(2500) + "\r\n" + "\u00e9".repeat(1500) + "\r\nend\r\n";
        String message = "MIME-Version: 1.0\r\nSubject: long\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + text;

        AttemptResult result =
                deliver(fixture.request(MailParameters.NONE, "sender@origin.test", message, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        byte[] received = peer.messages().get(0).content();
        String wire = new String(received, StandardCharsets.ISO_8859_1);
        assertThat(wire.split("\r\n"))
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(76));
        assertThat(wire.chars()).allMatch(c -> c < 0x80);
        MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(received));
        assertThat(new String(parsed.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isEqualTo(text);
    }

    @Test
    void asksForSmtpUtf8AndEightBitMimeWhenOffered() throws Exception {
        peer.extensions("8BITMIME", "SMTPUTF8");
        MailParameters params = new MailParameters(-1, MailParameters.Body.EIGHT_BIT_MIME, true, null, null, null);

        AttemptResult result = deliver(fixture.request(params, "sender@origin.test", MESSAGE, "jösé@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).commands())
                .contains("MAIL FROM:<sender@origin.test> BODY=8BITMIME SMTPUTF8", "RCPT TO:<jösé@dest.test>");
    }

    @Test
    void passesDsnParametersWhenTheServerOffersDsn() throws Exception {
        peer.extensions("DSN");
        MailParameters params = new MailParameters(
                -1, MailParameters.Body.SEVEN_BIT, false, MailParameters.Ret.HDRS, "id+2B1+20x", null);
        RcptTo rcpt = new RcptTo(
                ClientFixture.mailbox("a@dest.test"),
                new RcptParameters(
                        Set.of(RcptParameters.Notify.DELAY, RcptParameters.Notify.FAILURE), "rfc822;a@dest.test"));
        Envelope envelope =
                new Envelope(new ReversePath(ClientFixture.mailbox("s@origin.test")), List.of(rcpt), params);

        deliver(fixture.request(envelope, MESSAGE));

        assertThat(peer.sessions().get(0).commands())
                .contains(
                        "MAIL FROM:<s@origin.test> RET=HDRS ENVID=id+2B1+20x",
                        "RCPT TO:<a@dest.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a@dest.test");
    }

    @ParameterizedTest(name = "DSN announced: {0}")
    @ValueSource(booleans = {true, false})
    void tellsWhetherTheNextHopTookTheDsnParameters(boolean dsn) throws Exception {
        peer.extensions(dsn ? new String[] {"PIPELINING", "DSN"} : new String[] {"PIPELINING"});
        peer.rcptReply("b@dest.test", "550 5.1.1 no such user");

        AttemptResult result = deliver(fixture.request(MESSAGE, "a@dest.test", "b@dest.test"));

        // RFC 3461 5.2.1 and 5.2.2: who reports success depends on it; the reply is kept as received.
        assertThat(((Completed) result).outcomes())
                .extracting(RecipientOutcome::remoteDsn, o -> o.remoteReply().code())
                .containsExactly(tuple(dsn, 250), tuple(dsn, 550));
    }

    @Test
    void usesBdatWhenChunkingIsOfferedAndSendsTheBytesUnstuffed() throws Exception {
        peer.extensions("PIPELINING", "CHUNKING");
        String content = "Subject: dots\r\n\r\n.leading dot\r\n.\r\nend\r\n";

        AttemptResult result = deliver(fixture.request(content, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.messages()).singleElement().satisfies(m -> {
            assertThat(m.chunked()).isTrue();
            assertThat(new String(m.content(), StandardCharsets.UTF_8)).isEqualTo(content);
        });
        assertThat(peer.sessions().get(0).commands()).contains("BDAT " + content.length() + " LAST");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PIPELINING", "CHUNKING"}) // DATA, or BDAT (whose lines have the same limit)
    void foldsLinesOver998OctetsSoThatThePeerGetsNoLongerLine(String extension) throws Exception {
        peer.extensions(extension, "SIZE 100000");
        String header = "Subject: " + "word ".repeat(400) + "end\r\n";
        String body = "x".repeat(5000) + "\r\n.dot\r\n";

        AttemptResult result = deliver(fixture.request(header + "\r\n" + body, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        String received = new String(peer.messages().get(0).content(), StandardCharsets.US_ASCII);
        // RFC 5321 4.5.3.1.6: 1000 octets with the CRLF.
        assertThat(received.split("\r\n"))
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        int split = received.indexOf("\r\n\r\n") + 2;
        // The header field is folded before white space (RFC 5322 2.2.3); the body line gets CRLF SP.
        assertThat(received.substring(0, split).replaceAll("\r\n(?=[ \t])", "")).isEqualTo(header);
        assertThat(received.substring(split + 2).replace("\r\n ", "")).isEqualTo(body);
        // SIZE announces what is sent (RFC 1870 6).
        assertThat(peer.sessions().get(0).commands())
                .contains("MAIL FROM:<sender@origin.test> SIZE=" + received.length());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Subject: x\r\n\r\n.\r\n", // a lone dot would end DATA early
                "Subject: x\r\n\r\n..two\r\n", // two dots stay two
                ".first line starts with a dot\r\n\r\nbody\r\n", // the very first line
                "Subject: x\r\n\r\nline\r\n.\r\n.\r\n..\r\nafter\r\n", // several in a row
            })
    void dotStuffingRoundTripsTheContent(String content) throws Exception {
        AttemptResult result = deliver(fixture.request(content, "a@dest.test"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(new String(peer.messages().get(0).content(), StandardCharsets.UTF_8))
                .isEqualTo(content);
    }

    private AttemptResult deliver(DeliveryRequest request) throws Exception {
        return fixture.deliver(client, peer.address(), ClientRoute.mx(), request);
    }

    static List<DeliveryStatus> statuses(AttemptResult result) {
        assertThat(result).isInstanceOf(Completed.class);
        return ((Completed) result)
                .outcomes().stream().map(RecipientOutcome::status).toList();
    }
}

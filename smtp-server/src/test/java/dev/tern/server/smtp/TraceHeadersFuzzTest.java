package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.smtp.MailFrom;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.codec.SmtpLineDecoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The {@code Received:} field Tern writes ({@link TraceHeaders#received}) for any session the protocol lets
 * a client make: a HELO name and a recipient as the session's parsers accept them (whatever their length,
 * with or without SMTPUTF8), a client address from the socket or from a PROXY header, TLS parameters of
 * this JDK, an authenticated user or none, any session id and message count, any time and offset. The
 * field is one header field (RFC 5322 2.2, as the loop detection's {@link HeaderScan} counts it): CRLF
 * line ends only, continuation lines start with white space, no line over 998 octets, US-ASCII unless
 * the transaction is SMTPUTF8 (RFC 6532); and it reads back, by RFC 5322's tokens, as the RFC 5321 4.4
 * clauses {@code from}, {@code by}, {@code with}, {@code id}, {@code for} with the values written and the
 * date-time after the {@code ;}.
 */
class TraceHeadersFuzzTest {
    private static final ListenerSettings MX = TestSessions.settings(false);
    private static final SessionServices SERVICES = TestSessions.services(new RecordingQueue(), null, false);
    private static final List<String> HOSTNAMES =
            List.of("mx.test", "MX-1.Example.ORG", "localhost", "a".repeat(63) + "." + "b".repeat(63) + ".test");
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH);
    /** RFC 5322 3.3 date-time, without the obsolete forms and with a numeric zone. */
    private static final String DATE_TIME = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{1,2} "
            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}";

    private static final List<String> PROTOCOLS;
    private static final List<String> SUITES;

    static {
        try {
            SSLParameters supported = SSLContext.getDefault().getSupportedSSLParameters();
            PROTOCOLS = List.of(supported.getProtocols());
            SUITES = List.of(supported.getCipherSuites());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void writesOneFieldThatReadsBack(FuzzedDataProvider data) throws UnknownHostException {
        boolean esmtp = data.consumeBoolean();
        boolean smtpUtf8 = data.consumeBoolean();
        boolean tls = data.consumeBoolean();
        String authUser = data.consumeBoolean() ? data.consumeString(64) : null;
        String hostname = data.pickValue(HOSTNAMES);
        long sessionPrefix = data.consumeLong(0, Long.MAX_VALUE);
        long sessionCounter = data.consumeLong(1, Long.MAX_VALUE);
        int accepted = data.consumeInt(0, 1_000_000);
        // Any time whose local date has the four-digit year RFC 5322 3.3 writes, whatever the offset.
        long epochSecond = data.consumeLong(18 * 3600, 253_402_300_799L - 18 * 3600);
        int offsetSeconds = data.consumeInt(-18 * 60, 18 * 60) * 60;
        int proxyPort = data.consumeInt(0, 65535);
        String protocol = data.pickValue(PROTOCOLS);
        String suite = data.pickValue(SUITES);
        boolean viaProxy = data.consumeBoolean();
        String proxySource = data.consumeString(48);
        byte[] socketAddress = data.consumeBytes(data.pickValue(new Integer[] {4, 16}));
        // What the command lines may carry: 512 octets, "EHLO " or "RCPT " and the CRLF taken.
        String helo = data.consumeString(512 - 7);
        String rcpt = data.consumeRemainingAsString();
        if (rcpt.getBytes(StandardCharsets.UTF_8).length > 512 - 7) {
            rcpt = rcpt.substring(0, Math.min(rcpt.length(), 512 - 7));
        }

        String heloName = SmtpArguments.parseHelo(helo) instanceof ParseResult.Parsed<String> p ? p.value() : null;
        RcptTo recipient =
                SmtpArguments.parseRcpt(rcpt, smtpUtf8) instanceof ParseResult.Parsed<RcptTo> r ? r.value() : null;
        String forRecipient = recipient == null ? null : recipient.mailbox().address();

        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            ListenerSettings settings = new ListenerSettings(
                    hostname, MX.listener(), MX.limits(), MX.timeouts(), MX.maxCommandLine(), MX.maxTextLine());
            String id = Long.toString(sessionPrefix, 36) + Long.toString(sessionCounter, 36);
            SmtpSession session =
                    new SmtpSession(id, channel, settings, SERVICES, new SmtpLineDecoder(512, settings.maxTextLine()));
            InetSocketAddress peer = new InetSocketAddress(
                    InetAddress.getByAddress(
                            socketAddress.length == 16 ? pad(socketAddress, 16) : pad(socketAddress, 4)),
                    25);
            session.clientAddress(viaProxy ? proxied(proxySource, proxyPort, peer) : peer);
            session.heloName = heloName;
            session.esmtp = esmtp;
            session.tls = tls ? protocol + ":" + suite : null;
            session.authUser = authUser;
            session.messagesAccepted = accepted;
            MailFrom mailFrom = ((ParseResult.Parsed<MailFrom>)
                            SmtpArguments.parseMail("FROM:<a@mx.test>" + (smtpUtf8 ? " SMTPUTF8" : "")))
                    .value();
            session.transaction = new Transaction(mailFrom, 10_000, new InflightBudget(1 << 20));
            ZonedDateTime now = Instant.ofEpochSecond(epochSecond).atZone(ZoneOffset.ofTotalSeconds(offsetSeconds));

            String field = TraceHeaders.received(session, forRecipient, now);

            checkWellFormed(field, smtpUtf8);
            Received read = Received.parse(field);
            String literal = session.clientAddress() instanceof java.net.Inet6Address
                    ? "[IPv6:" + session.clientAddress().getHostAddress() + "]"
                    : "[" + session.clientAddress().getHostAddress() + "]";
            if (heloName == null) {
                assertThat(read.from()).isEqualTo("unknown");
            } else if (TraceHeaders.isDomainToken(heloName)) {
                assertThat(read.from()).isEqualTo(heloName);
            } else {
                // Not a token RFC 5322 can carry in that place: the name goes into the comment.
                assertThat(read.from()).isEqualTo("unknown");
                assertThat(read.fromComment()).contains("helo=" + abbreviate(heloName));
            }
            assertThat(read.fromComment()).startsWith(literal);
            assertThat(read.by()).isEqualTo(hostname);
            assertThat(read.with()).isEqualTo(TraceHeaders.protocol(session));
            assertThat(read.withComment()).isEqualTo(session.tls == null ? null : session.tls);
            assertThat(read.id()).isEqualTo(id + "x" + (accepted + 1));
            assertThat(read.forPath()).isEqualTo(forRecipient);
            assertThat(read.date()).matches(DATE_TIME);
            assertThat(ZonedDateTime.parse(read.date(), DATE).toInstant()).isEqualTo(now.toInstant());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** The client a PROXY header names, as the session takes it; the peer when Netty refuses the header. */
    private static InetSocketAddress proxied(String source, int port, InetSocketAddress peer) {
        HAProxyProxiedProtocol family =
                source.indexOf(':') >= 0 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4;
        HAProxyMessage header;
        try {
            header = new HAProxyMessage(
                    HAProxyProtocolVersion.V2,
                    HAProxyCommand.PROXY,
                    family,
                    source,
                    family == HAProxyProxiedProtocol.TCP6 ? "::1" : "127.0.0.1",
                    port,
                    25);
        } catch (HAProxyProtocolException | IllegalArgumentException e) {
            return peer;
        }
        try {
            return ProxyHeaders.client(header, peer);
        } catch (HAProxyProtocolException e) {
            return peer;
        } finally {
            header.release();
        }
    }

    private static byte[] pad(byte[] bytes, int length) {
        byte[] out = new byte[length];
        System.arraycopy(bytes, 0, out, 0, Math.min(bytes.length, length));
        return out;
    }

    /** The HELO name as the comment carries it: at most {@link TraceHeaders#MAX_COMMENT_HELO} characters. */
    private static String abbreviate(String helo) {
        return helo.length() <= TraceHeaders.MAX_COMMENT_HELO
                ? helo
                : helo.substring(0, TraceHeaders.MAX_COMMENT_HELO) + "...";
    }

    /** RFC 5322 2.1, 2.2 and 3.6.7 (with RFC 6532 for SMTPUTF8), and one field as the loop detection counts. */
    static void checkWellFormed(String field, boolean utf8) {
        assertThat(field).startsWith("Received: ").endsWith("\r\n");
        byte[] octets = field.getBytes(StandardCharsets.UTF_8);
        int lineStart = 0;
        for (int i = 0; i < octets.length; i++) {
            int b = octets[i] & 0xff;
            if (b == '\r') {
                assertThat(i + 1 < octets.length && octets[i + 1] == '\n')
                        .as("bare CR at %d", i)
                        .isTrue();
                assertThat(i - lineStart).as("line length").isLessThanOrEqualTo(998);
                i++;
                lineStart = i + 1;
                if (lineStart < octets.length) {
                    assertThat(octets[lineStart])
                            .as("a continuation line starts with white space")
                            .isIn((byte) ' ', (byte) '\t');
                }
            } else if (b == '\n') {
                throw new AssertionError("bare LF at " + i);
            } else if (b >= 0x80) {
                assertThat(utf8).as("non-ASCII octet outside SMTPUTF8 at %d", i).isTrue();
            } else {
                assertThat(b == '\t' || (b >= 0x20 && b < 0x7f))
                        .as("control %d at %d", b, i)
                        .isTrue();
            }
        }
        assertThat(field).isEqualTo(new String(octets, StandardCharsets.UTF_8));
        byte[] message = (field + "Subject: x\r\n\r\nbody\r\n").getBytes(StandardCharsets.UTF_8);
        HeaderScan scan = HeaderScan.of(Unpooled.wrappedBuffer(message), 1 << 20, 1000);
        assertThat(scan.receivedCount()).isEqualTo(1);
        assertThat(HeaderScanFuzzTest.reference(new String(message, StandardCharsets.ISO_8859_1), 1 << 20, 1000))
                .isEqualTo(scan);
    }

    /**
     * A Received field read by RFC 5322's tokens (3.2.2 comments, 3.2.4 quoted strings, 3.4.1 angle
     * addresses and domain literals): each clause word with the token after it and the comment right
     * after that, then the date-time after the first {@code ;} outside comments, quotes and brackets.
     */
    record Received(
            String from,
            String fromComment,
            String by,
            String with,
            String withComment,
            String id,
            String forPath,
            String date) {

        static Received parse(String field) {
            String value =
                    field.substring("Received:".length()).replace("\r\n ", " ").replace("\r\n\t", "\t");
            assertThat(value).endsWith("\r\n");
            value = value.substring(0, value.length() - 2);
            assertThat(value).doesNotContain("\r", "\n");
            List<String[]> tokens = new ArrayList<>(); // {kind, text}: kind a(tom), c(omment), <, ;
            int i = 0;
            while (i < value.length()) {
                char c = value.charAt(i);
                if (c == ' ' || c == '\t') {
                    i++;
                } else if (c == '(') {
                    StringBuilder text = new StringBuilder();
                    int depth = 0;
                    do {
                        char d = value.charAt(i);
                        if (d == '\\') {
                            text.append(value.charAt(i + 1));
                            i += 2;
                            continue;
                        }
                        if (d == '(') {
                            depth++;
                        } else if (d == ')') {
                            depth--;
                        }
                        if (depth > 0 && !(depth == 1 && d == '(')) {
                            text.append(d);
                        }
                        i++;
                        assertThat(depth == 0 || i < value.length())
                                .as("unclosed comment in %s", value)
                                .isTrue();
                    } while (depth > 0);
                    tokens.add(new String[] {"c", text.toString()});
                } else if (c == '<') {
                    int start = i;
                    boolean quoted = false;
                    i++;
                    while (quoted || value.charAt(i) != '>') {
                        char d = value.charAt(i);
                        if (quoted && d == '\\') {
                            i++;
                        } else if (d == '"') {
                            quoted = !quoted;
                        }
                        i++;
                        assertThat(i).as("unclosed angle address in %s", value).isLessThan(value.length());
                    }
                    i++;
                    tokens.add(new String[] {"<", value.substring(start + 1, i - 1)});
                } else if (c == ';') {
                    tokens.add(new String[] {";", value.substring(i + 1).strip()});
                    break;
                } else if (c == '[') {
                    int end = value.indexOf(']', i);
                    assertThat(end).as("unclosed domain literal in %s", value).isPositive();
                    tokens.add(new String[] {"a", value.substring(i, end + 1)});
                    i = end + 1;
                } else {
                    int start = i;
                    while (i < value.length() && isAtomChar(value.charAt(i))) {
                        i++;
                    }
                    assertThat(i)
                            .as("a special %s where a token belongs in %s", c, value)
                            .isGreaterThan(start);
                    tokens.add(new String[] {"a", value.substring(start, i)});
                }
            }
            assertThat(tokens).as("the ; before the date").isNotEmpty();
            assertThat(tokens.get(tokens.size() - 1)[0]).isEqualTo(";");
            String[] clause = {null, null, null, null, null, null, null};
            int k = 0;
            while (k < tokens.size() - 1) {
                String[] word = tokens.get(k);
                assertThat(word[0]).as("a clause word in %s", value).isEqualTo("a");
                String[] next = tokens.get(k + 1);
                String[] comment = k + 2 < tokens.size() && tokens.get(k + 2)[0].equals("c") ? tokens.get(k + 2) : null;
                switch (word[1].toLowerCase(Locale.ROOT)) {
                    case "from" -> {
                        assertThat(next[0]).isEqualTo("a");
                        clause[0] = next[1];
                        clause[1] = comment == null ? null : comment[1];
                    }
                    case "by" -> {
                        assertThat(next[0]).isEqualTo("a");
                        clause[2] = next[1];
                        // "(Tern)", the software, is the by clause's comment.
                    }
                    case "with" -> {
                        assertThat(next[0]).isEqualTo("a");
                        clause[3] = next[1];
                        clause[4] = comment == null ? null : comment[1];
                    }
                    case "id" -> {
                        assertThat(next[0]).isEqualTo("a");
                        clause[5] = next[1];
                    }
                    case "for" -> {
                        assertThat(next[0]).isEqualTo("<");
                        clause[6] = next[1];
                    }
                    default -> throw new AssertionError("unknown clause " + word[1] + " in " + value);
                }
                k += comment == null ? 2 : 3;
            }
            return new Received(
                    clause[0],
                    clause[1],
                    clause[2],
                    clause[3],
                    clause[4],
                    clause[5],
                    clause[6],
                    tokens.get(tokens.size() - 1)[1]);
        }

        /** atext and the dots of a dot-atom (RFC 5322 3.2.3), UTF-8 too (RFC 6532 3.2). */
        private static boolean isAtomChar(char c) {
            return c == '.' || dev.tern.smtp.address.Mailbox.isAtext(c);
        }
    }
}

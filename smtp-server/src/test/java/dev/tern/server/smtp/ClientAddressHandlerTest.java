package dev.tern.server.smtp;

import static dev.tern.server.smtp.SmtpSessionHandlerTest.codes;
import static dev.tern.server.smtp.SmtpSessionHandlerTest.replies;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.metrics.SessionMetrics.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The head of the pipeline on an {@link EmbeddedChannel}: who the client is, and headers nobody may send. */
class ClientAddressHandlerTest {
    /** HAProxy proxy-protocol.txt 2.2: the binary header's signature. */
    static final String V2_SIGNATURE = "\r\n\r\n\0\r\nQUIT\n";

    private final RecordingQueue queue = new RecordingQueue();
    private final RecordingMetrics metrics = new RecordingMetrics();

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                      | first octets (\\n is CRLF, <V2> the v2 signature)    | reply codes
            a v1 header where none is allowed           | PROXY TCP4 192.0.2.1 192.0.2.2 1 25\\nQUIT             | 220 554
            a v1 UNKNOWN header                         | PROXY UNKNOWN\\nNOOP                                    | 220 554
            a v2 header                                 | <V2>!NOOP                                              | 220 554
            the v2 signature alone                      | <V2>                                                   | 220 554
            an SMTP client                              | EHLO client.test\\nNOOP                                 | 220 250 250
            PROXY without its space is just a command   | PROXYNOOP                                              | 220 500
            lower case is no header (the spec is exact) | proxy TCP4 192.0.2.1 192.0.2.2 1 25                    | 220 500
            an empty line, then a command               | \\nNOOP                                                 | 220 500 250
            """)
    void refusesAProxyHeaderFromAPeerNotAllowedToSendOne(String what, String script, String expected) {
        byte[] input = expand(script + "\\n");
        for (int split = 0; split < input.length; split++) {
            queue.stored.clear();
            metrics.refusals.clear();
            EmbeddedChannel ch = TestSessions.channel(queue, metrics);
            feed(ch, input, 0, split);
            feed(ch, input, split, input.length);
            assertThat(codes(replies(ch))).as("%s, split at %d", what, split).isEqualTo(expectedCodes(expected));
            boolean refused = expected.endsWith("554");
            assertThat(metrics.refusals)
                    .as("%s, split at %d", what, split)
                    .isEqualTo(refused ? List.of(Refusal.PROXY_HEADER) : List.of());
            assertThat(ch.isOpen()).as("%s, split at %d", what, split).isEqualTo(!refused);
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                        | version 1 header line                                  | client in Received
            TCP over IPv4                 | PROXY TCP4 198.51.100.7 192.0.2.1 40000 25             | [198.51.100.7]
            TCP over IPv6                 | PROXY TCP6 2001:db8::7 2001:db8::1 40000 25            | [IPv6:2001:db8:0:0:0:0:0:7]
            UNKNOWN keeps the balancer    | PROXY UNKNOWN                                          | [127.0.0.1]
            UNKNOWN ignores the rest      | PROXY UNKNOWN 198.51.100.7 192.0.2.1 40000 25          | [127.0.0.1]
            """)
    void takesTheClientFromAVersion1Header(String what, String line, String literal) {
        assertClientFromHeader(what, expand(line + "\\n"), literal);
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # command | proxied protocol | source address | with a TLV | client in Received
            PROXY     | TCP4             | 198.51.100.7   | false      | [198.51.100.7]
            PROXY     | TCP6             | 2001:db8::7    | false      | [IPv6:2001:db8:0:0:0:0:0:7]
            # the type-length-value extensions are read past, and released
            PROXY     | TCP4             | 198.51.100.7   | true       | [198.51.100.7]
            # UDP is no SMTP, but the source is still the client's
            PROXY     | UDP4             | 198.51.100.7   | false      | [198.51.100.7]
            # a health check of the balancer itself (section 2.2)
            LOCAL     | UNKNOWN          |                | false      | [127.0.0.1]
            # AF_UNSPEC and AF_UNIX carry no address: the connection's own endpoints stand
            PROXY     | UNKNOWN          |                | false      | [127.0.0.1]
            PROXY     | UNIX_STREAM      | /run/lb.sock   | false      | [127.0.0.1]
            """)
    void takesTheClientFromAVersion2Header(
            HAProxyCommand command, HAProxyProxiedProtocol protocol, String source, boolean tlv, String literal) {
        assertClientFromHeader(command + " " + protocol, encode(v2(command, protocol, source, tlv)), literal);
    }

    /** Fed whole and split at every octet: nothing happens before the header is whole, then a transaction. */
    private void assertClientFromHeader(String what, byte[] header, String literal) {
        byte[] session = expand("EHLO c\\nMAIL FROM:<a@b.test>\\nRCPT TO:<bob@local.test>\\nDATA\\nx\\n.\\nQUIT\\n");
        byte[] input = concat(header, session);
        for (int split = 0; split < input.length; split++) {
            queue.stored.clear();
            EmbeddedChannel ch = fromBalancer();
            feed(ch, input, 0, split);
            List<String> replies = new ArrayList<>(replies(ch));
            if (split < header.length) {
                assertThat(replies)
                        .as("%s: a reply before the header's end at %d", what, split)
                        .isEmpty();
            }
            feed(ch, input, split, input.length);
            replies.addAll(replies(ch));
            assertThat(codes(replies))
                    .as("%s, split at %d", what, split)
                    .containsExactly(220, 250, 250, 250, 354, 250, 221);
            assertThat(queue.stored)
                    .as("%s, split at %d", what, split)
                    .singleElement()
                    .satisfies(m -> assertThat(m.content()).startsWith("Received: from c (" + literal + ")\r\n"));
            assertThat(metrics.refusals).isEmpty();
            ch.finishAndReleaseAll();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                      | first octets from the balancer
            an SMTP client instead of a header          | EHLO client.test\\nMAIL FROM:<a@b.test>
            an HTTP request                             | POST / HTTP/1.1\\nHost: x
            a v1 header with a bad address              | PROXY TCP4 198.51.100.300 192.0.2.1 40000 25
            a v1 header of an unknown protocol          | PROXY SCTP4 198.51.100.7 192.0.2.1 40000 25
            a v1 line over 107 octets                   | PROXY TCP4 #120
            the v2 signature with version 3             | <V2>1\u0011\u0000\u000c1234567812345678
            """)
    void closesWithoutAGreetingWhenTheBalancerSendsNoValidHeader(String what, String script) {
        byte[] input = expand(script.replace("#120", "x".repeat(120)) + "\\n");
        EmbeddedChannel ch = fromBalancer();
        feed(ch, input, 0, input.length);
        assertThat(replies(ch)).as(what).isEmpty();
        assertThat(ch.isOpen()).as(what).isFalse();
        assertThat(metrics.refusals).as(what).containsExactly(Refusal.PROXY_HEADER);
        assertThat(queue.stored).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void closesWithoutAGreetingWhenTheHeaderIsLate() {
        EmbeddedChannel ch = fromBalancer();
        ch.freezeTime();
        feed(ch, expand("PROXY TCP4 198.51.100.7"), 0, 10);
        // timeouts.proxy-header is 10 s, counted from the connection.
        ch.advanceTimeBy(9_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1_000, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(replies(ch)).isEmpty();
        assertThat(metrics.refusals).containsExactly(Refusal.PROXY_HEADER);
        ch.finishAndReleaseAll();
    }

    @Test
    void refusesASecondHeaderFromTheClientBehindTheBalancer() {
        EmbeddedChannel ch = fromBalancer();
        byte[] input = expand("PROXY TCP4 198.51.100.7 192.0.2.1 40000 25\\n"
                + "PROXY TCP4 192.0.2.99 192.0.2.1 40000 25\\nEHLO c\\n");
        feed(ch, input, 0, input.length);
        assertThat(codes(replies(ch))).containsExactly(220, 554);
        assertThat(ch.isOpen()).isFalse();
        assertThat(metrics.refusals).containsExactly(Refusal.PROXY_HEADER);
        ch.finishAndReleaseAll();
    }

    /** The in-memory channel's peer counts as loopback, which this listener takes for its load balancer. */
    private EmbeddedChannel fromBalancer() {
        ListenerSettings settings =
                TestSessions.settings(false, Map.of("TERN_LISTENERS_MX_PROXY_PROTOCOL_FROM", "127.0.0.0/8,::1"));
        return TestSessions.channel(settings, TestSessions.services(queue, null, false, metrics));
    }

    private static HAProxyMessage v2(
            HAProxyCommand command, HAProxyProxiedProtocol protocol, String source, boolean tlv) {
        boolean unix = protocol.addressFamily() == HAProxyProxiedProtocol.AddressFamily.AF_UNIX;
        boolean inet6 = protocol.addressFamily() == HAProxyProxiedProtocol.AddressFamily.AF_IPv6;
        String destination = source == null ? null : unix ? "/run/tern.sock" : inet6 ? "2001:db8::1" : "192.0.2.1";
        int port = source == null || unix ? 0 : 40000;
        List<HAProxyTLV> tlvs = tlv
                ? List.of(new HAProxyTLV(
                        HAProxyTLV.Type.PP2_TYPE_ALPN, Unpooled.copiedBuffer("smtp", StandardCharsets.US_ASCII)))
                : List.of();
        return new HAProxyMessage(
                HAProxyProtocolVersion.V2, command, protocol, source, destination, port, port == 0 ? 0 : 25, tlvs);
    }

    /** The octets Netty's own encoder writes for {@code header}. */
    private static byte[] encode(HAProxyMessage header) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(header);
        ByteBuf out = encoder.readOutbound();
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            encoder.finishAndReleaseAll();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static List<Integer> expectedCodes(String expected) {
        return Arrays.stream(expected.split(" ")).map(Integer::valueOf).collect(Collectors.toList());
    }

    /** {@code \n} in a table is CRLF, {@code <V2>} the v2 signature; other characters are one octet each. */
    static byte[] expand(String script) {
        String text = script.replace("\\n", "\r\n").replace("<V2>", V2_SIGNATURE);
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Feeds a copy of the octets, unless there are none or the server has already closed. */
    static void feed(EmbeddedChannel ch, byte[] input, int from, int to) {
        if (from < to && ch.isOpen()) {
            ch.writeInbound(Unpooled.copiedBuffer(input, from, to - from));
            ch.runPendingTasks();
        }
    }
}

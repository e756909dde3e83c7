package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.config.Cidr;
import dev.tern.server.config.ListenerConfig;
import dev.tern.server.config.ListenerMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which addresses are this server, so that a mail exchanger found at one is never dialled (RFC 5321 5.1). */
class OwnAddressesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                          | listener  | self-addresses       | address       | ourselves
            the listener's own address, whatever the port  | 127.0.0.1 | ''                   | 127.0.0.1     | true
            another loopback address is another host's     | 127.0.0.1 | ''                   | 127.0.0.2     | false
            a wildcard listener takes every loopback address| 0.0.0.0   | ''                   | 127.0.0.2     | true
            ... IPv6's too                                  | 0.0.0.0   | ''                   | ::1           | true
            a NAT's public address, configured              | 127.0.0.1 | 203.0.113.7          | 203.0.113.7   | true
            ... or a network of them                        | 127.0.0.1 | 203.0.113.0/29       | 203.0.113.5   | true
            ... and nothing beside it                       | 127.0.0.1 | 203.0.113.7          | 203.0.113.8   | false
            several configured addresses                    | 127.0.0.1 | 192.0.2.1 2001:db8::1| 2001:db8::1   | true
            a stranger                                      | 0.0.0.0   | 203.0.113.7          | 192.0.2.200   | false
            """)
    void knowsItselfByAddress(String what, String listener, String selfAddresses, String address, boolean ourselves)
            throws Exception {
        List<Cidr> configured = Arrays.stream(selfAddresses.split(" "))
                .filter(s -> !s.isBlank())
                .map(Cidr::parse)
                .toList();
        OwnAddresses own = OwnAddresses.of(
                List.of(new ListenerConfig("mx", ListenerMode.MX, listener, 25, false, List.of())), configured);

        assertThat(own.test(InetAddress.getByName(address))).as(what).isEqualTo(ourselves);
    }

    /** A mailbox's address literal names this server when its address does; parsed, never looked up. */
    @ParameterizedTest(name = "{0} with a listener on {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            [127.0.0.1]        | 127.0.0.1 | true
            [127.0.0.2]        | 127.0.0.1 | false
            [127.0.0.2]        | 0.0.0.0   | true
            [IPv6:::1]         | 0.0.0.0   | true
            [ipv6:0:0::1]      | 0.0.0.0   | true
            [IPv6:::1]         | 127.0.0.1 | false
            [IPv6:127.0.0.1]   | 127.0.0.1 | false
            [localhost]        | 127.0.0.1 | false
            127.0.0.1          | 127.0.0.1 | false
            """)
    void knowsItselfByAddressLiteral(String literal, String listener, boolean ourselves) {
        OwnAddresses own = OwnAddresses.of(
                List.of(new ListenerConfig("mx", ListenerMode.MX, listener, 25, false, List.of())), List.of());

        assertThat(own.isOwnLiteral(literal)).isEqualTo(ourselves);
    }

    /**
     * A route to one of its own listeners (that address and port, or any address of this host for a wildcard
     * listener) would send mail back to this server; another port there is another program (a content filter).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                           | listener  | target          | ours
            the listener's address and port                  | 127.0.0.1 | 127.0.0.1:2525  | true
            another port at its address                      | 127.0.0.1 | 127.0.0.1:10025 | false
            its port at another address                      | 127.0.0.1 | 127.0.0.2:2525  | false
            a wildcard listener's port at any own address    | 0.0.0.0   | 127.0.0.9:2525  | true
            """)
    void knowsARouteToItsOwnListener(String what, String listener, String target, boolean ours) throws Exception {
        OwnAddresses own = OwnAddresses.of(
                List.of(new ListenerConfig("mx", ListenerMode.MX, listener, 2525, false, List.of())), List.of());
        String[] hostPort = target.split(":");

        assertThat(own.listeners(List.of(new ListenerConfig("mx", ListenerMode.MX, listener, 2525, false, List.of())))
                        .test(new InetSocketAddress(InetAddress.getByName(hostPort[0]), Integer.parseInt(hostPort[1]))))
                .as(what)
                .isEqualTo(ours);
    }
}

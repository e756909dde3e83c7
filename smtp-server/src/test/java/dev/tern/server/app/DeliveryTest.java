package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeliveryTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1:5353 | 127.0.0.1 | 5353", // IPv4 with a port
                "192.0.2.53     | 192.0.2.53 | 53", // the DNS port by default
                "[::1]:5353     | 0:0:0:0:0:0:0:1 | 5353", // IPv6 in brackets with a port
                "[::1]          | 0:0:0:0:0:0:0:1 | 53", // IPv6 in brackets alone
            })
    void readsAResolverAddress(String text, String address, int port) {
        List<InetSocketAddress> servers = Delivery.resolvers(List.of(text));
        assertThat(servers).singleElement().satisfies(s -> {
            assertThat(s.getAddress().getHostAddress()).isEqualTo(address);
            assertThat(s.getPort()).isEqualTo(port);
        });
    }
}

package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource(
            textBlock =
                    """
            # inside and outside an IPv4 network
            127.0.0.0/8,      127.1.2.3,     true
            127.0.0.0/8,      128.0.0.1,     false
            # odd prefix lengths
            192.0.2.64/26,    192.0.2.127,   true
            192.0.2.64/26,    192.0.2.128,   false
            # host bits in the network are ignored
            10.1.2.3/8,       10.200.0.1,    true
            # a bare address is a single host
            192.0.2.7,        192.0.2.7,     true
            192.0.2.7,        192.0.2.8,     false
            # /0 matches every address of its family
            0.0.0.0/0,        203.0.113.9,   true
            # IPv6
            ::1/128,          ::1,           true
            2001:db8::/32,    2001:db8:ffff::1, true
            2001:db8::/32,    2001:db9::1,   false
            # families never mix
            ::/0,             127.0.0.1,     false
            0.0.0.0/0,        ::1,           false
            """)
    void containsAddressesInsideTheNetwork(String cidr, String address, boolean expected) throws Exception {
        assertThat(Cidr.parse(cidr).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "example.com/8", // names are never resolved
                "10.0.0.0/33", // prefix too long for IPv4
                "::/129", // prefix too long for IPv6
                "10.0.0.0/", // empty prefix
                "10.0.0.0/-1", // negative prefix
                "010.1.2.3", // a leading zero: octal to inet_aton, decimal here
                "10.0.0.010/32",
                "10.0.0.0/08", // nor in the prefix
                "10.0.0/8" // short address
            })
    void rejectsWhatIsNotANetwork(String text) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}

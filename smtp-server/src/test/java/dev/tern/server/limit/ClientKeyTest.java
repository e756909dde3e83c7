package dev.tern.server.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientKeyTest {

    @ParameterizedTest(name = "{0} ~ {1} with /{2} /{3}: {4}")
    @CsvSource({
        "192.0.2.1, 192.0.2.1, 32, 64, true", // the same address
        "192.0.2.1, 192.0.2.2, 32, 64, false", // IPv4 counted alone by default
        "192.0.2.1, 192.0.2.200, 24, 64, true", // a /24 as one client
        "192.0.2.1, 192.0.3.1, 24, 64, false", // another /24
        "2001:db8::1, 2001:db8::ffff:1, 32, 64, true", // the same /64
        "2001:db8:0:1::1, 2001:db8:0:2::1, 32, 64, false", // another /64
        "2001:db8::1, 2001:db8::2, 32, 128, false", // /128: each address alone
        "2001:db8::1, 2001:db8:0::1, 32, 128, true", // /128: the same address, written otherwise
        "2001:db8::1, 2001:db8::3, 32, 127, false", // /127 tells ::1 from ::3
        "2001:db8::2, 2001:db8::3, 32, 127, true", // /127 joins ::2 and ::3
        "2001:db8:1::1, 2001:db8:2::1, 32, 32, true", // a /32 as one client
        "0.0.0.1, ::1, 32, 128, false", // IPv4 and IPv6 never meet
    })
    void groupsAddressesByPrefix(String a, String b, int v4, int v6, boolean same) throws Exception {
        ClientKey ka = ClientKey.of(InetAddress.getByName(a), v4, v6);
        ClientKey kb = ClientKey.of(InetAddress.getByName(b), v4, v6);
        assertThat(ka.equals(kb)).isEqualTo(same);
    }
}

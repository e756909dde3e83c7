package dev.tern.relay.dns;

import dev.tern.relay.testing.TestDnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh DNS responder on loopback and a resolver asking only it, for each test. */
abstract class ResolverTestBase {
    TestDnsServer dns;
    DnsMailExchangerResolver resolver;

    @BeforeEach
    void startDns() {
        dns = TestDnsServer.start();
        resolver = new DnsMailExchangerResolver(ResolverFixture.options(dns));
    }

    @AfterEach
    void stopDns() throws Exception {
        dns.close();
    }
}

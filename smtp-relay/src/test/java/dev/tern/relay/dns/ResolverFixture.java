package dev.tern.relay.dns;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.tern.relay.testing.TestDnsServer;
import java.time.Duration;
import java.util.List;

/** A resolver pointed at a {@link TestDnsServer}, with short timeouts for tests. */
final class ResolverFixture {
    private ResolverFixture() {}

    static MxResolverOptions options(TestDnsServer dns) {
        return MxResolverOptions.defaults().withServers(List.of(dns.address())).withTimeout(Duration.ofMillis(300), 1);
    }

    static MxResolution resolve(MailExchangerResolver resolver, String domain) throws Exception {
        return resolver.resolve(domain).toCompletableFuture().get(5, SECONDS);
    }
}

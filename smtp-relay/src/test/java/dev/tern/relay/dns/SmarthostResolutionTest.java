package dev.tern.relay.dns;

import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.dns.MxResolution.Failure;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A smarthost's name goes through the same resolver as MX targets (dnsjava, the configured servers, the
 * cache), never the JDK's; an address is used as it is. NXDOMAIN and no address are permanent, SERVFAIL and
 * timeouts temporary.
 */
class SmarthostResolutionTest extends ResolverTestBase {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                  | host             | DNS holds                        | addresses, or the failure | questions
            an IPv4 address is used as it is        | 192.0.2.1        | -                                | 192.0.2.1                 | 0
            an IPv6 address too                     | ::1              | -                                | 0:0:0:0:0:0:0:1           | 0
            a name, by its A record                 | smtp.corp.test   | a 127.0.0.21                     | 127.0.0.21                | 2
            ... and its AAAA, A first               | smtp.corp.test   | a 127.0.0.21, aaaa ::1           | 127.0.0.21 0:0:0:0:0:0:0:1| 2
            a name in capitals, with a root dot     | SMTP.Corp.Test.  | a 127.0.0.21                     | 127.0.0.21                | 2
            the name does not exist                 | smtp.corp.test   | nxdomain                         | 5.4.4 NXDOMAIN            | 2
            the name exists without an address      | smtp.corp.test   | mx                               | 5.4.4 no records          | 2
            the server fails                        | smtp.corp.test   | servfail                         | 4.4.3 SERVFAIL            | 2
            the server never answers                | smtp.corp.test   | drop                             | 4.4.3 timed out           | 4
            """)
    void resolvesASmarthost(String what, String host, String records, String expected, int questions) throws Exception {
        String name = "smtp.corp.test";
        for (String record : records.split(",")) {
            String[] parts = record.strip().split(" ");
            switch (parts[0]) {
                case "a" -> dns.a(name, parts[1]);
                case "aaaa" -> dns.aaaa(name, parts[1]);
                case "nxdomain" -> dns.nxdomain(name);
                case "mx" -> dns.mx(name, 10, "elsewhere.test");
                case "servfail" -> dns.servfail(name);
                case "drop" -> dns.drop(name);
                default -> {}
            }
        }

        String actual =
                switch (resolver.resolveHost(host).toCompletableFuture().get(10, TimeUnit.SECONDS)) {
                    case Exchangers x ->
                        x.exchangers().getFirst().addresses().stream()
                                .map(InetAddress::getHostAddress)
                                .collect(Collectors.joining(" "));
                    case Failure f -> f.enhancedStatus() + " " + f.diagnostic();
                };

        assertThat(actual).as(what).startsWith(expected.split(" ")[0]);
        assertThat(actual).as(what).contains(expected.substring(expected.indexOf(' ') + 1));
        // The same server MX questions go to: A and AAAA, each asked once, twice when it never answers.
        assertThat(dns.queries()).as(what).hasSize(questions);
        assertThat(dns.queries()).as(what).noneMatch(q -> q.type().equals("MX"));
    }

    @Test
    void aDomainsResolutionAndASmarthostsShareOneCache() throws Exception {
        dns.mx("corp.test", 10, "smtp.corp.test").a("smtp.corp.test", "127.0.0.21");
        resolve(resolver, "corp.test");

        resolver.resolveHost("smtp.corp.test").toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(dns.queryCount("smtp.corp.test", "A")).isEqualTo(1);
    }
}

package dev.tern.relay.dns;

import static dev.tern.relay.dns.ResolverFixture.options;
import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 5321 5.1 when we are one of the domain's mail exchangers (a backup MX): only the hosts more preferred
 * than ourselves are kept, and only when none is left is it an error.
 */
class BackupMxTest extends ResolverTestBase {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                      | MX records: preference host=address          | ourselves           | kept, or the failure
            a backup MX keeps the primary               | 10 mx1=.11, 20 me=.12, 30 mx3=.13              | name me.tern.test   | mx1
            ... and drops its peers of equal preference | 10 mx1=.11, 20 me=.12, 20 peer=.13, 30 mx3=.14 | name me.tern.test   | mx1
            ... keeps every more preferred host         | 10 mx1=.11, 15 mx2=.12, 20 me=.13              | name me.tern.test   | mx1 mx2
            ... wherever the answer lists it            | 30 mx3=.13, 20 me=.12, 10 mx1=.11              | name me.tern.test   | mx1
            ourselves under another name, by address    | 10 mx1=.11, 20 alias=.12, 30 mx3=.13           | address 127.0.0.12  | mx1
            ourselves by address as the primary         | 10 alias=.12, 20 mx2=.13                       | address 127.0.0.12  | 5.4.6
            ourselves by address, tied with a peer      | 10 peer=.11, 10 alias=.12, 20 mx2=.13          | address 127.0.0.12  | 5.4.6
            the primary: nothing is left                | 10 me=.11, 20 mx2=.12                          | name me.tern.test   | 5.4.6
            tied with the primary: nothing is left      | 10 mx1=.11, 10 me=.12                          | name me.tern.test   | 5.4.6
            not among them: all are kept                | 10 mx1=.11, 20 mx2=.12                         | name me.tern.test   | mx1 mx2
            the primary's address lookup fails for now  | 10 mx1=servfail, 20 me=.12                     | name me.tern.test   | 4.4.3
            """)
    void keepsOnlyExchangersMorePreferredThanOurselves(String what, String records, String self, String expected)
            throws Exception {
        for (String record : records.split(",")) {
            String[] parts = record.strip().split("[ =]");
            String host = parts[1] + ".tern.test";
            dns.mx("example.test", Integer.parseInt(parts[0]), host);
            if (parts[2].equals("servfail")) {
                dns.a(host, "127.0.0.99").servfail(host);
            } else {
                dns.a(host, "127.0.0" + parts[2]);
            }
        }
        String[] who = self.split(" ");
        InetAddress selfAddress = who[0].equals("address") ? InetAddress.getByName(who[1]) : null;
        resolver = new DnsMailExchangerResolver(options(dns)
                .withSelf(
                        host -> who[0].equals("name") && who[1].equals(host), address -> address.equals(selfAddress)));

        String actual =
                switch (resolve(resolver, "example.test")) {
                    case MxResolution.Exchangers x ->
                        x.exchangers().stream()
                                .map(m -> m.host().replace(".tern.test", ""))
                                .collect(Collectors.joining(" "));
                    case MxResolution.Failure f -> f.enhancedStatus().toString();
                };
        assertThat(actual).as(what).isEqualTo(expected);
    }
}

package dev.tern.relay.dns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.testing.TestDnsServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The shared test responder answers on the wire as a real authoritative server would. */
class TestDnsServerWireTest {
    private TestDnsServer dns;
    private SimpleResolver client;

    @BeforeEach
    void start() {
        dns = TestDnsServer.start()
                .mx("example.test", 10, "mx.example.test")
                .a("mx.example.test", "127.0.0.5")
                .servfail("broken.test")
                .mx("broken.test", 10, "mx.example.test");
        client = new SimpleResolver(dns.address());
        client.setTimeout(Duration.ofSeconds(2));
    }

    @AfterEach
    void stop() throws Exception {
        dns.close();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "example.test    | MX | NOERROR  | 1", // records of the asked type
                "example.test    | A  | NOERROR  | 0", // name exists, type does not: NODATA
                "unknown.test    | MX | NXDOMAIN | 0", // unknown names do not exist
                "broken.test     | MX | SERVFAIL | 0", // marked as failing
                "MX.Example.Test | A  | NOERROR  | 1", // names compare case-insensitively
            })
    void answersFromItsTable(String name, String type, String rcode, int answers) throws Exception {
        Message response = client.send(query(name, type));

        assertThat(Rcode.string(response.getRcode())).isEqualTo(rcode);
        assertThat(response.getSection(Section.ANSWER)).hasSize(answers);
        assertThat(response.getHeader().getFlag(Flags.AA)).isTrue();
    }

    @Test
    void negativeAnswersCarryAnSoaWithTheNegativeTtl() throws Exception {
        dns.negativeTtl(Duration.ofSeconds(30));

        Message response = client.send(query("unknown.test", "A"));

        assertThat(response.getSection(Section.AUTHORITY)).singleElement().satisfies(soa -> assertThat(soa.getTTL())
                .isEqualTo(30));
    }

    @Test
    void logsEveryQuestion() throws Exception {
        client.send(query("example.test", "MX"));
        client.send(query("mx.example.test", "A"));

        assertThat(dns.queries())
                .containsExactly(
                        new TestDnsServer.Question("example.test", "MX"),
                        new TestDnsServer.Question("mx.example.test", "A"));
        assertThat(dns.queryCount("EXAMPLE.test.", "mx")).isEqualTo(1);
    }

    private static Message query(String name, String type) throws Exception {
        return Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), Type.value(type), 1));
    }
}

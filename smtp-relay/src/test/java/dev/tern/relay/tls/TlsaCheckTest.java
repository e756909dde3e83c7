package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestCa.Issued;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsaCheckTest {
    private static final String HOST = "mx.dane.test";
    private static final Clock NOW = Clock.systemUTC();

    private final TestCa ca = new TestCa("DANE test CA");
    private final Issued server = ca.issue(HOST);
    private final List<X509Certificate> chain = List.of(server.chain());

    /** The record data for {@code certificate} with this selector and matching type. */
    static String data(X509Certificate certificate, int selector, int matchingType) throws Exception {
        byte[] selected = selector == Tlsa.CERT
                ? certificate.getEncoded()
                : certificate.getPublicKey().getEncoded();
        byte[] data =
                switch (matchingType) {
                    case Tlsa.FULL -> selected;
                    case Tlsa.SHA256 -> MessageDigest.getInstance("SHA-256").digest(selected);
                    default -> MessageDigest.getInstance("SHA-512").digest(selected);
                };
        return HexFormat.of().formatHex(data);
    }

    private static TlsaCheck check(String host, Clock clock, Tlsa... records) {
        return new TlsaCheck(host, List.of(records), clock);
    }

    @ParameterizedTest(name = "usage {0} selector {1} matching type {2}")
    @CsvSource({
        // DANE-EE: the leaf, whole or its key, as itself or digested
        "3, 0, 0",
        "3, 0, 1",
        "3, 0, 2",
        "3, 1, 0",
        "3, 1, 1",
        "3, 1, 2",
        // DANE-TA: the CA above the leaf in the presented chain
        "2, 0, 0",
        "2, 0, 1",
        "2, 0, 2",
        "2, 1, 0",
        "2, 1, 1",
        "2, 1, 2",
    })
    void matchesEachUsageSelectorAndMatchingType(int usage, int selector, int matchingType) throws Exception {
        X509Certificate target = usage == Tlsa.DANE_EE ? server.chain()[0] : ca.root();
        Tlsa record = new Tlsa(usage, selector, matchingType, data(target, selector, matchingType));

        assertThat(check(HOST, NOW, record).mismatch(chain)).isEmpty();
        // The same record does not match another server's chain.
        Issued other = new TestCa("Another CA").issue(HOST);
        assertThat(check(HOST, NOW, record).mismatch(List.of(other.chain())))
                .get()
                .asString()
                .startsWith("TLSA mismatch");
    }

    @Test
    void daneEeChecksNeitherNameNorDates() throws Exception {
        Tlsa record = new Tlsa(3, 1, 1, data(server.chain()[0], 1, 1));
        Clock nextYear = Clock.fixed(Instant.now().plus(Duration.ofDays(365)), ZoneOffset.UTC);

        assertThat(check("other.dane.test", nextYear, record).mismatch(chain)).isEmpty();
    }

    @Test
    void daneTaChecksTheNameOfTheLeaf() throws Exception {
        Tlsa record = new Tlsa(2, 1, 1, data(ca.root(), 1, 1));

        assertThat(check("other.dane.test", NOW, record).mismatch(chain))
                .get()
                .asString()
                .contains("a DANE-TA record matched")
                .contains("not other.dane.test");
    }

    @Test
    void daneTaChecksTheDatesOfTheLeaf() throws Exception {
        Tlsa record = new Tlsa(2, 0, 1, data(ca.root(), 0, 1));
        Clock nextYear = Clock.fixed(Instant.now().plus(Duration.ofDays(365)), ZoneOffset.UTC);

        assertThat(check(HOST, nextYear, record).mismatch(chain))
                .get()
                .asString()
                .contains("outside its dates");
    }

    @Test
    void daneTaNeedsTheLeafSignedByTheAnchor() throws Exception {
        // The anchor's record, and a leaf from another CA presented above it.
        Tlsa record = new Tlsa(2, 0, 1, data(ca.root(), 0, 1));
        X509Certificate stranger = new TestCa("Stranger CA").issue(HOST).chain()[0];

        assertThat(check(HOST, NOW, record).mismatch(List.of(stranger, ca.root())))
                .get()
                .asString()
                .contains("TLSA mismatch");
    }

    @Test
    void daneTaDoesNotMatchTheLeafItself() throws Exception {
        Tlsa record = new Tlsa(2, 0, 1, data(server.chain()[0], 0, 1));

        assertThat(check(HOST, NOW, record).mismatch(chain)).isPresent();
    }

    @Test
    void oneMatchingRecordOfSeveralIsEnough() throws Exception {
        Tlsa stale = new Tlsa(3, 1, 1, "00".repeat(32));
        Tlsa current = new Tlsa(3, 1, 1, data(server.chain()[0], 1, 1));

        assertThat(check(HOST, NOW, stale, current).mismatch(chain)).isEmpty();
        assertThat(check(HOST, NOW, stale).mismatch(chain)).isPresent();
    }

    @ParameterizedTest(name = "{0} {1} {2} usable: {3}")
    @CsvSource({
        // RFC 7672 3.1.3: PKIX-TA and PKIX-EE are not for SMTP
        "0, 0, 1, false",
        "1, 1, 1, false",
        "2, 1, 1, true",
        "3, 1, 1, true",
        // unknown usage, selector, matching type
        "4, 1, 1, false",
        "3, 2, 1, false",
        "3, 1, 3, false",
    })
    void onlyDaneUsagesAndKnownSelectorsAndMatchingTypesAreUsable(
            int usage, int selector, int matchingType, boolean usable) {
        assertThat(new Tlsa(usage, selector, matchingType, "ab").usable()).isEqualTo(usable);
    }

    @Test
    void checksOfTheSameRecordsAreEqual() throws Exception {
        Tlsa record = new Tlsa(3, 1, 1, data(server.chain()[0], 1, 1));

        assertThat(check(HOST, NOW, record))
                .isEqualTo(check(
                        "MX.dane.test", NOW, new Tlsa(3, 1, 1, record.data().toUpperCase(java.util.Locale.ROOT))));
        assertThat(check(HOST, NOW, record)).isNotEqualTo(check("mx2.dane.test", NOW, record));
    }
}

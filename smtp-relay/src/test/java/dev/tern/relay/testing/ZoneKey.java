package dev.tern.relay.testing;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;

/**
 * A DNSSEC key made for one test: one key (flags 257, a combined signing key) of algorithm 13, ECDSA P-256 with
 * SHA-256 (RFC 6605), for the zone at {@link #apex()}. {@link #anchor()} is its DNSKEY record in zone-file form,
 * the trust anchor a test gives Tern.
 */
public final class ZoneKey {
    private static final int ZONE_AND_SEP = 257;
    private static final int PROTOCOL = 3;

    private final Name apex;
    private final DNSKEYRecord dnskey;
    private final KeyPair keys;

    private ZoneKey(Name apex, DNSKEYRecord dnskey, KeyPair keys) {
        this.apex = apex;
        this.dnskey = dnskey;
        this.keys = keys;
    }

    /** A new key for the zone {@code apex} ({@code dane.test}). */
    public static ZoneKey generate(String apex) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = generator.generateKeyPair();
            Name name = Name.fromString(apex, Name.root);
            DNSKEYRecord dnskey = new DNSKEYRecord(
                    name, DClass.IN, 300, ZONE_AND_SEP, PROTOCOL, DNSSEC.Algorithm.ECDSAP256SHA256, keys.getPublic());
            return new ZoneKey(name, dnskey, keys);
        } catch (GeneralSecurityException | DNSSEC.DNSSECException | TextParseException e) {
            throw new IllegalStateException("cannot make a test zone key", e);
        }
    }

    public Name apex() {
        return apex;
    }

    public DNSKEYRecord dnskey() {
        return dnskey;
    }

    /** The DNSKEY record as a line of a zone file: a trust anchor. */
    public String anchor() {
        return dnskey.toString() + "\n";
    }

    /** The RRSIG of {@code records} (one RRset), valid from an hour ago for a day. */
    RRSIGRecord sign(List<Record> records) {
        RRset rrset = new RRset();
        records.forEach(rrset::addRR);
        Instant now = Instant.now();
        try {
            return DNSSEC.sign(
                    rrset, dnskey, keys.getPrivate(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        } catch (DNSSEC.DNSSECException e) {
            throw new IllegalStateException("cannot sign " + rrset, e);
        }
    }
}

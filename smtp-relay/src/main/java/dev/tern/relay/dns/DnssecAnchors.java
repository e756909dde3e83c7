package dev.tern.relay.dns;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.xbill.DNS.Master;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The keys DNSSEC validation starts from (RFC 4033 3.2): DS or DNSKEY records in zone-file form. By default the
 * root zone's key-signing keys as IANA publishes them (data.iana.org/root-anchors): KSK-2017 (key tag 20326)
 * and KSK-2024 (38696), which signs the root's DNSKEY set from 11 October 2026. They are compiled in, not
 * updated by RFC 5011: an operator follows a later roll with {@code dns.trust-anchor-file}.
 */
public final class DnssecAnchors {
    static final String IANA_ROOT =
            """
            . IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D
            . IN DS 38696 8 2 683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16
            """;

    private final List<Record> records;
    private final String source;

    private DnssecAnchors(List<Record> records, String source) {
        this.records = List.copyOf(records);
        this.source = source;
    }

    /** IANA's root anchors. */
    public static DnssecAnchors ianaRoot() {
        try {
            return parse(IANA_ROOT, "the IANA root anchors");
        } catch (IOException e) {
            throw new IllegalStateException("the built-in root anchors do not parse", e);
        }
    }

    /** The DS and DNSKEY records of a zone file; a file with none of them is refused. Blocks: call at start. */
    public static DnssecAnchors load(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    }

    static DnssecAnchors parse(String zoneText, String source) throws IOException {
        List<Record> records = new ArrayList<>();
        try (Master master =
                new Master(new ByteArrayInputStream(zoneText.getBytes(StandardCharsets.UTF_8)), Name.root, 0)) {
            Record record;
            while ((record = master.nextRecord()) != null) {
                if (record.getType() == Type.DS || record.getType() == Type.DNSKEY) {
                    records.add(record);
                }
            }
        }
        if (records.isEmpty()) {
            throw new IOException(source + " holds no DS or DNSKEY record");
        }
        return new DnssecAnchors(records, source);
    }

    /** Zone-file text of the anchors, as dnsjava's validator loads them. */
    InputStream zoneText() {
        String text = records.stream().map(Record::toString).collect(Collectors.joining("\n", "", "\n"));
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Where the anchors came from and which zones they cover, for the start-up log line. */
    @Override
    public String toString() {
        return source + " ("
                + records.stream()
                        .map(r -> r.getName() + " " + Type.string(r.getType()))
                        .distinct()
                        .collect(Collectors.joining(", "))
                + ")";
    }
}

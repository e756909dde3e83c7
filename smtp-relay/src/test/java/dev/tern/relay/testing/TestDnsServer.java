package dev.tern.relay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * A small authoritative DNS responder on 127.0.0.1 UDP (port 0) answering from a mutable table, for
 * tests that need real DNS on the wire. Wire messages are parsed and built with dnsjava.
 *
 * <p>Unknown names get NXDOMAIN; a name with records but none of the asked type gets NOERROR with
 * an empty answer (NODATA, RFC 2308 2.2). Negative answers carry an SOA whose TTL is {@link
 * #negativeTtl(Duration)} (0 by default, so resolvers do not cache them). Names marked {@link
 * #servfail} get SERVFAIL, names marked {@link #refused} REFUSED, names marked {@link #drop} get no answer at all (the client times out).
 * Every received question is logged in {@link #queries()}.
 *
 * <p>Zones may be signed ({@link #sign(ZoneKey)}): a question with the DO bit (RFC 3225) about a name in one
 * is answered as a signed authoritative server would (RFC 4035 3.1), with RRSIGs made on the fly with the
 * zone's key, the zone's DNSKEY at its apex, and NSEC records (RFC 4034 4) proving NODATA and NXDOMAIN,
 * computed from the names of the table. {@link #tamper} spoils one RRset's signature, as a forgery would.
 */
public final class TestDnsServer implements AutoCloseable {
    /** One received question, name in lower case without the trailing dot, type as text ("MX"). */
    public record Question(String name, String type) {}

    private enum Mode {
        RECORDS,
        NXDOMAIN,
        SERVFAIL,
        REFUSED,
        DROP
    }

    private static final Duration DEFAULT_TTL = Duration.ofMinutes(5);

    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final Map<Name, Mode> modes = new ConcurrentHashMap<>();
    private final Map<Name, ZoneKey> zones = new ConcurrentHashMap<>();
    private final Set<String> tampered = ConcurrentHashMap.newKeySet();
    private final List<Question> queries = new CopyOnWriteArrayList<>();
    private volatile long negativeTtlSeconds;

    private TestDnsServer(DatagramSocket socket) {
        this.socket = socket;
        this.thread = new Thread(this::serve, "test-dns-" + socket.getLocalPort());
        this.thread.setDaemon(true);
    }

    /** Binds 127.0.0.1 on a free port and starts answering. */
    public static TestDnsServer start() {
        try {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TestDnsServer server = new TestDnsServer(socket);
            server.thread.start();
            return server;
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return socket.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    public TestDnsServer mx(String domain, int preference, String host) {
        return mx(domain, preference, host, DEFAULT_TTL);
    }

    public TestDnsServer mx(String domain, int preference, String host, Duration ttl) {
        return add(new MXRecord(name(domain), DClass.IN, ttl.toSeconds(), preference, name(host)));
    }

    /** RFC 7505 3: the single record {@code MX 0 .} says the domain accepts no mail. */
    public TestDnsServer nullMx(String domain) {
        return add(new MXRecord(name(domain), DClass.IN, DEFAULT_TTL.toSeconds(), 0, Name.root));
    }

    public TestDnsServer a(String host, String address) {
        return a(host, address, DEFAULT_TTL);
    }

    public TestDnsServer a(String host, String address, Duration ttl) {
        return add(new ARecord(name(host), DClass.IN, ttl.toSeconds(), literal(address)));
    }

    public TestDnsServer aaaa(String host, String address) {
        return aaaa(host, address, DEFAULT_TTL);
    }

    public TestDnsServer aaaa(String host, String address, Duration ttl) {
        return add(new AAAARecord(name(host), DClass.IN, ttl.toSeconds(), literal(address)));
    }

    /**
     * A TXT record of one or more character-strings (each at most 255 octets, RFC 1035 3.3.14), such as a
     * DKIM key record (RFC 6376 3.6.2.2).
     */
    public TestDnsServer txt(String name, List<String> strings) {
        return add(new TXTRecord(name(name), DClass.IN, DEFAULT_TTL.toSeconds(), strings));
    }

    /** A TXT record of one string (an MTA-STS record: {@code v=STSv1; id=...}). */
    public TestDnsServer txt(String name, String text) {
        // TTL 0: resolvers do not keep it, so a test may change it between deliveries.
        return add(new TXTRecord(name(name), DClass.IN, 0, text));
    }

    /** A TLSA record (RFC 6698 2): {@code name} is {@code _PORT._tcp.HOST}. */
    public TestDnsServer tlsa(String name, int usage, int selector, int matchingType, byte[] data) {
        return add(new TLSARecord(name(name), DClass.IN, DEFAULT_TTL.toSeconds(), usage, selector, matchingType, data));
    }

    /** Signs the zone of {@code key} from now on: see the class comment. */
    public TestDnsServer sign(ZoneKey key) {
        zones.put(key.apex(), key);
        return this;
    }

    /** Spoils the signature of the records of one type ("TLSA") of a name, in signed answers. */
    public TestDnsServer tamper(String name, String type) {
        tampered.add(plain(name) + "/" + type.toUpperCase(Locale.ROOT));
        return this;
    }

    /** Removes the records of one type ("TXT") of a name. */
    public TestDnsServer remove(String name, String type) {
        List<Record> list = records.get(name(name));
        if (list != null) {
            list.removeIf(r -> r.getType() == Type.value(type));
        }
        return this;
    }

    /** Answers NXDOMAIN for this name whatever records it has. */
    public TestDnsServer nxdomain(String name) {
        modes.put(name(name), Mode.NXDOMAIN);
        return this;
    }

    public TestDnsServer servfail(String name) {
        modes.put(name(name), Mode.SERVFAIL);
        return this;
    }

    /** Answers REFUSED for this name, as a server that will not answer for the zone does. */
    public TestDnsServer refused(String name) {
        modes.put(name(name), Mode.REFUSED);
        return this;
    }

    /** Keeps every answer back until {@link #releaseAnswers()}: questions asked meanwhile are all in flight. */
    public TestDnsServer holdAnswers() {
        held = new java.util.concurrent.CountDownLatch(1);
        return this;
    }

    /** Sends the answers {@link #holdAnswers()} kept back, and every later one at once. */
    public TestDnsServer releaseAnswers() {
        held.countDown();
        return this;
    }

    /**
     * Sends four datagrams ahead of every answer about this name, as a forger racing the server would: a reply with
     * another id, one with the question's id about another name, a header alone announcing a question, and the
     * query itself sent back (not a response).
     */
    public TestDnsServer forgedRepliesFirst(String name) {
        forgedFirst.add(name(name));
        return this;
    }

    /** Never answers questions about this name, so clients time out. */
    public TestDnsServer drop(String name) {
        modes.put(name(name), Mode.DROP);
        return this;
    }

    /** TTL of the SOA sent with NXDOMAIN and NODATA answers (RFC 2308 5); 0 disables negative caching. */
    public TestDnsServer negativeTtl(Duration ttl) {
        negativeTtlSeconds = ttl.toSeconds();
        return this;
    }

    /** Forgets every record and mode; the query log is kept (see {@link #clearQueries()}). */
    public TestDnsServer clear() {
        records.clear();
        modes.clear();
        zones.clear();
        tampered.clear();
        return this;
    }

    public TestDnsServer clearQueries() {
        queries.clear();
        return this;
    }

    /** Every question received so far, in arrival order. */
    public List<Question> queries() {
        return List.copyOf(queries);
    }

    /** How many times this name and type ({@code "MX"}, {@code "A"}, ...) were asked. */
    public long queryCount(String name, String type) {
        Question wanted = new Question(plain(name), type.toUpperCase(Locale.ROOT));
        return queries.stream().filter(wanted::equals).count();
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(Duration.ofSeconds(5));
    }

    private TestDnsServer add(Record record) {
        records.computeIfAbsent(record.getName(), n -> new CopyOnWriteArrayList<>())
                .add(record);
        return this;
    }

    private final Set<Name> forgedFirst = ConcurrentHashMap.newKeySet();

    private volatile java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(0);

    private void serve() {
        byte[] buffer = new byte[65_535];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Message response = answer(query);
                if (response != null) {
                    held.await();
                    // RFC 6891 6.2.5: a client that sent EDNS takes answers up to its payload size.
                    OPTRecord opt = query.getOPT();
                    byte[] wire = response.toWire(opt == null ? 512 : Math.max(512, opt.getPayloadSize()));
                    Name asked = query.getQuestion() == null
                            ? null
                            : query.getQuestion().getName();
                    if (asked != null && forgedFirst.contains(asked)) {
                        send(otherId(wire), packet);
                        Message forged = new Message(query.getHeader().getID());
                        forged.getHeader().setFlag(Flags.QR);
                        forged.addRecord(
                                Record.newRecord(
                                        name("forged." + asked),
                                        query.getQuestion().getType(),
                                        DClass.IN),
                                Section.QUESTION);
                        send(forged.toWire(), packet);
                        // The header alone, announcing a question that is not there; and the query sent back.
                        byte[] header = java.util.Arrays.copyOf(wire, 12);
                        header[4] = 0;
                        header[5] = 1;
                        send(header, packet);
                        send(java.util.Arrays.copyOf(packet.getData(), packet.getLength()), packet);
                    }
                    send(wire, packet);
                }
            } catch (IOException e) {
                // Closed socket ends the loop; a malformed query is ignored, like a real server would.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void send(byte[] wire, DatagramPacket to) throws IOException {
        socket.send(new DatagramPacket(wire, wire.length, to.getSocketAddress()));
    }

    private static byte[] otherId(byte[] wire) {
        byte[] other = wire.clone();
        int id = (((wire[0] & 0xff) << 8 | (wire[1] & 0xff)) + 1) & 0xffff;
        other[0] = (byte) (id >> 8);
        other[1] = (byte) id;
        return other;
    }

    private Message answer(Message query) {
        Record question = query.getQuestion();
        if (question == null) {
            return null;
        }
        Name name = question.getName();
        queries.add(new Question(plain(name.toString()), Type.string(question.getType())));
        Mode mode = modes.getOrDefault(name, Mode.RECORDS);
        if (mode == Mode.DROP) {
            return null;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
            response.getHeader().setFlag(Flags.RA);
        }
        response.addRecord(question, Section.QUESTION);
        ZoneKey zone = zoneOf(name);
        OPTRecord opt = query.getOPT();
        if (mode == Mode.RECORDS && zone != null && opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0) {
            signedAnswer(response, name, question.getType(), zone);
            return response;
        }
        List<Record> known = records.getOrDefault(name, List.of());
        if (mode == Mode.SERVFAIL) {
            response.getHeader().setRcode(Rcode.SERVFAIL);
        } else if (mode == Mode.REFUSED) {
            response.getHeader().setRcode(Rcode.REFUSED);
        } else if (mode == Mode.NXDOMAIN || known.isEmpty()) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            response.addRecord(soa(name), Section.AUTHORITY);
        } else {
            List<Record> matching = new ArrayList<>();
            for (Record record : known) {
                if (record.getType() == question.getType()) {
                    matching.add(record);
                }
            }
            matching.forEach(r -> response.addRecord(r, Section.ANSWER));
            if (matching.isEmpty()) {
                response.addRecord(soa(name), Section.AUTHORITY);
            }
        }
        return response;
    }

    /** The signed zone {@code name} is in, the closest one; null when none is. */
    private ZoneKey zoneOf(Name name) {
        for (Name n = name; ; n = new Name(n, 1)) {
            ZoneKey key = zones.get(n);
            if (key != null || n.labels() <= 1) {
                return key;
            }
        }
    }

    /** RFC 4035 3.1: the answer with its RRSIGs, or the SOA and the NSEC records that prove there is none. */
    private void signedAnswer(Message response, Name name, int type, ZoneKey zone) {
        List<Record> matching =
                recordsAt(name, zone).stream().filter(r -> r.getType() == type).toList();
        if (!matching.isEmpty()) {
            addSigned(response, matching, Section.ANSWER, zone);
            return;
        }
        addSigned(response, List.of(soa(zone.apex())), Section.AUTHORITY, zone);
        NavigableSet<Name> names = names(zone);
        if (names.contains(name)) {
            // NODATA: the name's own NSEC lists its types, and not this one (RFC 4035 3.1.3.1).
            addSigned(response, List.of(nsec(name, names, zone)), Section.AUTHORITY, zone);
            return;
        }
        Name before = names.lower(name);
        if (hasDescendant(name, names)) {
            // An empty non-terminal: NODATA, proven by the NSEC whose next name is below it.
            addSigned(response, List.of(nsec(before, names, zone)), Section.AUTHORITY, zone);
            return;
        }
        // NXDOMAIN (RFC 4035 3.1.3.2): an NSEC covering the name, and one covering the wildcard that could have
        // made it, at its closest encloser.
        response.getHeader().setRcode(Rcode.NXDOMAIN);
        addSigned(response, List.of(nsec(before, names, zone)), Section.AUTHORITY, zone);
        Name encloser = new Name(name, 1);
        while (!names.contains(encloser) && !hasDescendant(encloser, names)) {
            encloser = new Name(encloser, 1);
        }
        Name wildcard = wildcard(encloser);
        Name wildcardBefore = names.lower(wildcard);
        if (!wildcardBefore.equals(before)) {
            addSigned(response, List.of(nsec(wildcardBefore, names, zone)), Section.AUTHORITY, zone);
        }
    }

    /** The records of a name in a signed zone: the table's, and at the apex its SOA and DNSKEY. */
    private List<Record> recordsAt(Name name, ZoneKey zone) {
        List<Record> out = new ArrayList<>(records.getOrDefault(name, List.of()));
        if (name.equals(zone.apex())) {
            out.add(soa(zone.apex()));
            out.add(zone.dnskey());
        }
        return out;
    }

    /** Every name of the zone with records, in canonical order (RFC 4034 6.1), the apex first. */
    private NavigableSet<Name> names(ZoneKey zone) {
        NavigableSet<Name> names = new TreeSet<>();
        names.add(zone.apex());
        records.forEach((name, list) -> {
            if (!list.isEmpty() && name.subdomain(zone.apex()) && zone.equals(zoneOf(name))) {
                names.add(name);
            }
        });
        return names;
    }

    private static Name wildcard(Name encloser) {
        try {
            return Name.fromString("*", encloser);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(encloser.toString(), e);
        }
    }

    private static boolean hasDescendant(Name name, NavigableSet<Name> names) {
        return names.stream().anyMatch(n -> !n.equals(name) && n.subdomain(name));
    }

    private NSECRecord nsec(Name owner, NavigableSet<Name> names, ZoneKey zone) {
        Name next = names.higher(owner);
        Set<Integer> types = new TreeSet<>();
        recordsAt(owner, zone).forEach(r -> types.add(r.getType()));
        types.add(Type.RRSIG);
        types.add(Type.NSEC);
        return new NSECRecord(
                owner,
                DClass.IN,
                negativeTtlSeconds,
                next == null ? zone.apex() : next,
                types.stream().mapToInt(Integer::intValue).toArray());
    }

    private void addSigned(Message response, List<Record> rrset, int section, ZoneKey zone) {
        rrset.forEach(r -> response.addRecord(r, section));
        Record first = rrset.get(0);
        RRSIGRecord signature = zone.sign(rrset);
        if (tampered.contains(plain(first.getName().toString()) + "/" + Type.string(first.getType()))) {
            byte[] spoiled = signature.getSignature().clone();
            spoiled[spoiled.length / 2] ^= 0x5a;
            signature = new RRSIGRecord(
                    signature.getName(),
                    signature.getDClass(),
                    signature.getTTL(),
                    signature.getTypeCovered(),
                    signature.getAlgorithm(),
                    signature.getOrigTTL(),
                    signature.getExpire(),
                    signature.getTimeSigned(),
                    signature.getFootprint(),
                    signature.getSigner(),
                    spoiled);
        }
        response.addRecord(signature, section);
    }

    private SOARecord soa(Name name) {
        long ttl = negativeTtlSeconds;
        return new SOARecord(name, DClass.IN, ttl, name("ns.test"), name("hostmaster.test"), 1, 3600, 600, 86400, ttl);
    }

    private static Name name(String text) {
        try {
            return Name.fromString(text, Name.root);
        } catch (TextParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static String plain(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static InetAddress literal(String address) {
        try {
            return org.xbill.DNS.Address.getByAddress(address);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}

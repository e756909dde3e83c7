package dev.tern.relay.tlsrpt;

import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.PathParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A domain's TLSRPT record (RFC 8460 3): the TXT record at {@code _smtp._tls.DOMAIN}, {@code
 * v=TLSRPTv1; rua=mailto:reports@example.com,https://reports.example.com/tlsrpt}. Tern sends reports by
 * mail only: the {@code mailto:} addresses are kept, the {@code https:} ones only counted.
 *
 * @param mailto the addresses of the {@code mailto:} URIs, in order
 * @param https how many {@code https:} URIs the record has
 */
public record TlsRptRecord(List<Mailbox> mailto, int https) {
    public TlsRptRecord {
        mailto = List.copyOf(mailto);
    }

    /**
     * The record among a name's TXT texts: exactly one must start with {@code v=TLSRPTv1} (RFC 8460 3,
     * as RFC 7489 6.6.3 does for DMARC: none or several mean no record), with an {@code rua}.
     */
    public static Optional<TlsRptRecord> find(List<String> texts) {
        List<String> records = texts.stream()
                .filter(t -> t.strip().matches("(?i)^v\\s*=\\s*TLSRPTv1\\s*(;.*)?$"))
                .toList();
        return records.size() == 1 ? parse(records.get(0)) : Optional.empty();
    }

    static Optional<TlsRptRecord> parse(String text) {
        for (String field : text.split(";")) {
            int eq = field.indexOf('=');
            if (eq < 0 || !field.substring(0, eq).strip().equalsIgnoreCase("rua")) {
                continue;
            }
            List<Mailbox> mailto = new ArrayList<>();
            int https = 0;
            for (String uri : field.substring(eq + 1).split(",")) {
                String u = uri.strip();
                String scheme = u.toLowerCase(Locale.ROOT);
                if (scheme.startsWith("mailto:")) {
                    int query = u.indexOf('?');
                    String address = decode(u.substring("mailto:".length(), query < 0 ? u.length() : query));
                    PathParser.parseMailbox(address).ifPresent(mailto::add);
                } else if (scheme.startsWith("https:")) {
                    https++;
                }
            }
            return Optional.of(new TlsRptRecord(mailto, https));
        }
        return Optional.empty();
    }

    /** RFC 3986 2.1 percent-decoding (RFC 8460 3 asks for it in {@code mailto:} addresses); bad escapes stay. */
    private static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && hex(s, i + 1) >= 0) {
                out.write(hex(s, i + 1));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(String s, int at) {
        if (at + 1 >= s.length()) {
            return -1;
        }
        int hi = Character.digit(s.charAt(at), 16);
        int lo = Character.digit(s.charAt(at + 1), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}

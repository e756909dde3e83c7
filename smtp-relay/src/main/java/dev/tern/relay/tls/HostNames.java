package dev.tern.relay.tls;

import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Names as RFC 6125 and RFC 7672 3.2.3 match them for SMTP: the reference identifier is the mail
 * exchanger's name; a certificate's DNS names (its common name only when it has none) are compared
 * without case, and {@code *} is allowed only as the whole left-most label, matching exactly one label.
 * MTA-STS's {@code mx} patterns follow the same rule (RFC 8461 4.1).
 */
public final class HostNames {
    private static final int DNS_NAME = 2;
    private static final int IP_ADDRESS = 7;

    private HostNames() {}

    /** True when {@code pattern} (a name, or {@code *.} and a name) matches {@code host}. */
    public static boolean matches(String pattern, String host) {
        String p = normalize(pattern);
        String h = normalize(host);
        if (p.isEmpty() || h.isEmpty()) {
            return false;
        }
        if (p.startsWith("*.")) {
            String parent = p.substring(2);
            int dot = h.indexOf('.');
            // RFC 6125 6.4.3: one whole label, and never above a two-label name ("*.com").
            return parent.indexOf('.') > 0
                    && !parent.contains("*")
                    && dot > 0
                    && h.substring(dot + 1).equals(parent);
        }
        return !p.contains("*") && p.equals(h);
    }

    /** True when the certificate names {@code host}: a DNS name, or an IP address for an address literal. */
    public static boolean certificateNames(X509Certificate certificate, String host) {
        if (isAddress(host)) {
            return subjectAlternativeNames(certificate, IP_ADDRESS).stream().anyMatch(ip -> sameAddress(ip, host));
        }
        return names(certificate).stream().anyMatch(name -> matches(name, host));
    }

    /** The DNS names of a certificate; its common names only when it has none (RFC 6125 6.4.4). */
    public static List<String> names(X509Certificate certificate) {
        List<String> dns = subjectAlternativeNames(certificate, DNS_NAME);
        return dns.isEmpty() ? commonNames(certificate) : dns;
    }

    private static List<String> subjectAlternativeNames(X509Certificate certificate, int type) {
        List<String> out = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2
                            && name.get(0) instanceof Integer t
                            && t == type
                            && name.get(1) instanceof String s) {
                        out.add(s);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // An unparsable extension names nothing.
        }
        return out;
    }

    private static List<String> commonNames(X509Certificate certificate) {
        List<String> out = new ArrayList<>();
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    out.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // No readable subject: no names.
        }
        return out;
    }

    private static boolean isAddress(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    private static boolean sameAddress(String a, String b) {
        // Both are literals: no name service is asked.
        byte[] x = NetUtil.createByteArrayFromIpAddressString(a);
        return x != null && Arrays.equals(x, NetUtil.createByteArrayFromIpAddressString(b));
    }

    private static String normalize(String name) {
        String lower = name.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}

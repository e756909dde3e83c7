package dev.tern.relay.tlsrpt;

import dev.tern.smtp.MailDates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * One aggregate TLS report (RFC 8460) about one policy domain: its JSON (section 4.4) and the message that
 * carries it gzipped (section 5.3). Everything written here is ASCII: domains and hosts are A-labels, the
 * configured names are checked at load.
 *
 * @param organization {@code organization-name}
 * @param contact {@code contact-info}
 * @param submitter the reporting host's name ({@code TLS-Report-Submitter})
 * @param reportId unique per report ({@code report-id}); also the message's Message-ID
 */
public record TlsReport(
        String organization,
        String contact,
        String submitter,
        String reportId,
        Instant start,
        Instant end,
        String domain,
        List<PolicySummary> policies) {

    private static final DateTimeFormatter RFC_3339 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    public TlsReport {
        policies = List.copyOf(policies);
    }

    /** RFC 8460 4.4, in the order the RFC lists the fields. */
    public String json() {
        StringBuilder j = new StringBuilder(512);
        j.append('{');
        field(j, "organization-name", organization).append(',');
        j.append("\"date-range\":{");
        field(j, "start-datetime", RFC_3339.format(start.truncatedTo(ChronoUnit.SECONDS)))
                .append(',');
        field(j, "end-datetime", RFC_3339.format(end.truncatedTo(ChronoUnit.SECONDS)));
        j.append("},");
        field(j, "contact-info", contact).append(',');
        field(j, "report-id", reportId).append(',');
        j.append("\"policies\":[");
        for (int i = 0; i < policies.size(); i++) {
            if (i > 0) {
                j.append(',');
            }
            policy(j, policies.get(i));
        }
        return j.append("]}").toString();
    }

    private static void policy(StringBuilder j, PolicySummary p) {
        j.append("{\"policy\":{");
        field(j, "policy-type", p.policyType());
        if (!p.policyStrings().isEmpty()) {
            j.append(',');
            array(j, "policy-string", p.policyStrings());
        }
        j.append(',');
        field(j, "policy-domain", p.domain());
        if (!p.mxHosts().isEmpty()) {
            j.append(',');
            array(j, "mx-host", p.mxHosts());
        }
        j.append("},\"summary\":{\"total-successful-session-count\":")
                .append(p.successfulSessions())
                .append(",\"total-failure-session-count\":")
                .append(p.failedSessions())
                .append('}');
        if (!p.failures().isEmpty()) {
            j.append(",\"failure-details\":[");
            for (int i = 0; i < p.failures().size(); i++) {
                PolicySummary.FailureDetail f = p.failures().get(i);
                j.append(i > 0 ? ",{" : "{");
                field(j, "result-type", f.type().key()).append(',');
                if (f.receivingIp() != null) {
                    field(j, "receiving-ip", f.receivingIp()).append(',');
                }
                field(j, "receiving-mx-hostname", f.receivingMxHostname()).append(',');
                j.append("\"failed-session-count\":").append(f.count()).append('}');
            }
            j.append(']');
        }
        j.append('}');
    }

    private static StringBuilder field(StringBuilder j, String name, String value) {
        return string(j, name).append(':').append(value == null ? "null" : string(new StringBuilder(), value));
    }

    private static void array(StringBuilder j, String name, List<String> values) {
        string(j, name).append(":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                j.append(',');
            }
            string(j, values.get(i));
        }
        j.append(']');
    }

    /** A JSON string (RFC 8259 7): quote, backslash and control characters escaped. */
    private static StringBuilder string(StringBuilder j, String s) {
        j.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> j.append("\\\"");
                case '\\' -> j.append("\\\\");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        j.append(String.format("\\u%04x", (int) c));
                    } else {
                        j.append(c);
                    }
                }
            }
        }
        return j.append('"');
    }

    /** The JSON, gzipped (RFC 8460 5.3: {@code application/tlsrpt+gzip}). */
    public byte[] gzip() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(json().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * RFC 8460 5.3: {@code sender "!" policy-domain "!" begin-timestamp "!" end-timestamp "!" unique-id
     * ".json.gz"}, the timestamps in seconds since the epoch.
     */
    public String fileName() {
        String unique = reportId.replaceAll("[^A-Za-z0-9.-]", "_");
        return submitter + "!" + domain + "!" + start.getEpochSecond() + "!" + end.getEpochSecond() + "!" + unique
                + ".json.gz";
    }

    /**
     * The message of RFC 8460 5.3 from {@code from} to {@code to} (CRLF lines, 7-bit): a {@code
     * multipart/report; report-type="tlsrpt"} with a short text part and the gzipped report as a base64
     * {@code application/tlsrpt+gzip} attachment; {@code TLS-Report-Domain}, {@code TLS-Report-Submitter}
     * and the Subject the RFC asks for.
     */
    public byte[] message(String from, List<String> to, Instant date) {
        String boundary =
                "tlsrpt-" + Long.toHexString(start.getEpochSecond()) + "-" + Integer.toHexString(reportId.hashCode());
        StringBuilder m = new StringBuilder(4096);
        line(m, "From: <" + from + ">");
        line(m, "To: " + String.join(", ", to.stream().map(a -> "<" + a + ">").toList()));
        line(m, "Date: " + MailDates.format(date));
        line(m, "Subject: Report Domain: " + domain);
        line(m, " Submitter: " + submitter);
        line(m, " Report-ID: <" + reportId + ">");
        line(m, "Message-ID: <" + reportId + ">");
        line(m, "TLS-Report-Domain: " + domain);
        line(m, "TLS-Report-Submitter: " + submitter);
        line(m, "MIME-Version: 1.0");
        line(m, "Content-Type: multipart/report; report-type=\"tlsrpt\";");
        line(m, " boundary=\"" + boundary + "\"");
        line(m, "");
        line(m, "This is a multipart message in MIME format.");
        line(m, "");
        line(m, "--" + boundary);
        line(m, "Content-Type: text/plain; charset=us-ascii");
        line(m, "Content-Transfer-Encoding: 7bit");
        line(m, "");
        line(m, "This is an aggregate TLS report (RFC 8460) from " + submitter + " about " + domain + ".");
        line(m, "");
        line(m, "--" + boundary);
        line(m, "Content-Type: application/tlsrpt+gzip");
        line(m, "Content-Transfer-Encoding: base64");
        line(m, "Content-Disposition: attachment;");
        line(m, " filename=\"" + fileName() + "\"");
        line(m, "");
        String base64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encodeToString(gzip());
        line(m, base64);
        line(m, "");
        line(m, "--" + boundary + "--");
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void line(StringBuilder m, String line) {
        m.append(line).append("\r\n");
    }
}

package dev.tern.relay.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.relay.tlsrpt.PolicySummary.FailureDetail;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The RFC 8460 report, read back with independent parsers: Jackson for the JSON, Angus Mail for the MIME. */
class TlsReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final TlsReport REPORT = new TlsReport(
            "Tern \"test\" org",
            "postmaster@tern.test",
            "tern.test",
            "1764806400.1.example.com@tern.test",
            Instant.parse("2026-12-04T00:00:00.250Z"),
            Instant.parse("2026-12-05T00:00:00Z"),
            "example.com",
            List.of(
                    new PolicySummary(
                            "example.com",
                            "sts",
                            List.of("version: STSv1", "mode: enforce", "mx: *.mx.example.com"),
                            List.of("*.mx.example.com"),
                            5,
                            3,
                            List.of(
                                    new FailureDetail(
                                            TlsResultType.CERTIFICATE_EXPIRED, "a.mx.example.com", "192.0.2.1", 2),
                                    new FailureDetail(TlsResultType.VALIDATION_FAILURE, "b.mx.example.com", null, 1))),
                    new PolicySummary("example.com", "no-policy-found", List.of(), List.of(), 1, 0, List.of())));

    @Test
    void jsonHasTheFieldsOfRfc8460() throws Exception {
        JsonNode report = JSON.readTree(REPORT.json());

        assertThat(report.get("organization-name").asText()).isEqualTo("Tern \"test\" org");
        assertThat(report.at("/date-range/start-datetime").asText()).isEqualTo("2026-12-04T00:00:00Z");
        assertThat(report.at("/date-range/end-datetime").asText()).isEqualTo("2026-12-05T00:00:00Z");
        assertThat(report.get("contact-info").asText()).isEqualTo("postmaster@tern.test");
        assertThat(report.get("report-id").asText()).isEqualTo("1764806400.1.example.com@tern.test");
        JsonNode sts = report.at("/policies/0");
        assertThat(sts.at("/policy/policy-type").asText()).isEqualTo("sts");
        assertThat(sts.at("/policy/policy-domain").asText()).isEqualTo("example.com");
        assertThat(sts.at("/policy/policy-string/1").asText()).isEqualTo("mode: enforce");
        assertThat(sts.at("/policy/mx-host/0").asText()).isEqualTo("*.mx.example.com");
        assertThat(sts.at("/summary/total-successful-session-count").asLong()).isEqualTo(5);
        assertThat(sts.at("/summary/total-failure-session-count").asLong()).isEqualTo(3);
        JsonNode expired = sts.at("/failure-details/0");
        assertThat(expired.get("result-type").asText()).isEqualTo("certificate-expired");
        assertThat(expired.get("receiving-mx-hostname").asText()).isEqualTo("a.mx.example.com");
        assertThat(expired.get("receiving-ip").asText()).isEqualTo("192.0.2.1");
        assertThat(expired.get("failed-session-count").asLong()).isEqualTo(2);
        assertThat(sts.at("/failure-details/1").has("receiving-ip")).isFalse();
        JsonNode none = report.at("/policies/1");
        assertThat(none.at("/policy/policy-type").asText()).isEqualTo("no-policy-found");
        assertThat(none.at("/policy").has("policy-string")).isFalse();
        assertThat(none.has("failure-details")).isFalse();
    }

    @Test
    void theMessageCarriesTheGzippedReportWithTheHeadersOfRfc8460() throws Exception {
        byte[] bytes = REPORT.message(
                "postmaster@tern.test", List.of("tlsrpt@example.com"), Instant.parse("2026-12-05T00:00:01Z"));

        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
        assertThat(message.getHeader("TLS-Report-Domain", null)).isEqualTo("example.com");
        assertThat(message.getHeader("TLS-Report-Submitter", null)).isEqualTo("tern.test");
        assertThat(message.getSubject().replaceAll("\\s+", " "))
                .isEqualTo(
                        "Report Domain: example.com Submitter: tern.test Report-ID: <1764806400.1.example.com@tern.test>");
        assertThat(message.getContentType()).contains("multipart/report").contains("report-type=\"tlsrpt\"");
        MimeMultipart parts = (MimeMultipart) message.getContent();
        BodyPart report = parts.getBodyPart(1);
        assertThat(report.getContentType()).startsWith("application/tlsrpt+gzip");
        assertThat(report.getFileName())
                .isEqualTo(
                        "tern.test!example.com!1796342400!1796428800!" + "1764806400.1.example.com_tern.test.json.gz");
        try (InputStream in = new GZIPInputStream(report.getInputStream())) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(REPORT.json());
        }
        // Every line within RFC 5322's limit, CRLF ends only.
        String text = new String(bytes, StandardCharsets.US_ASCII);
        assertThat(text.split("\r\n"))
                .allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(998));
        assertThat(text.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    }

    @Test
    void readsTheMailtoAddressesOfATlsRptRecord() {
        TlsRptRecord record = TlsRptRecord.find(List.of(
                        "v=spf1 -all",
                        "v=TLSRPTv1; rua=mailto:tls%2Breports@example.com?subject=x,https://r.example.com/x,"
                                + "mailto:other@example.net"))
                .orElseThrow();
        assertThat(record.mailto())
                .extracting(m -> m.address())
                .containsExactly("tls+reports@example.com", "other@example.net");
        assertThat(record.https()).isEqualTo(1);
        assertThat(TlsRptRecord.find(List.of("v=TLSRPTv1; rua=mailto:a@b.test", "v=TLSRPTv1; rua=mailto:c@d.test")))
                .as("two records are none")
                .isEmpty();
        assertThat(TlsRptRecord.find(List.of("v=TLSRPTv1;"))).isEmpty();
    }
}

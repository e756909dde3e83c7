package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestCa.Issued;
import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS reports (RFC 8460) end to end: deliveries to one domain succeed over verified TLS, to another fail a
 * {@code verify} policy; both publish a {@code _smtp._tls} TXT record with a {@code mailto:} address at a
 * third domain, whose scripted exchanger receives the reports every two seconds. Counts that straddle two
 * intervals come in two reports, so the test adds up every report of a domain.
 */
class TlsRptIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final TestCa ca = new TestCa("Tern test CA");

    private static ScriptedSmtpPeer tlsPeer(DeliveryFixture tern, Issued certificate) {
        ScriptedSmtpPeer peer = tern.peer().extensions("PIPELINING", "STARTTLS");
        return certificate == null ? peer : peer.certificate(certificate.key(), certificate.chain());
    }

    /** One received report: its domain header and its JSON (DaneIT reads them too). */
    record Report(String domain, JsonNode json) {}

    static List<Report> reports(ScriptedSmtpPeer peer) throws Exception {
        List<Report> out = new ArrayList<>();
        for (ScriptedSmtpPeer.Received r : peer.messages()) {
            MimeMessage m =
                    new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(r.content()));
            MimeMultipart parts = (MimeMultipart) m.getContent();
            BodyPart gz = parts.getBodyPart(1);
            assertThat(gz.getContentType()).startsWith("application/tlsrpt+gzip");
            try (InputStream in = new GZIPInputStream(gz.getInputStream())) {
                out.add(new Report(m.getHeader("TLS-Report-Domain", null), JSON.readTree(in)));
            }
        }
        return out;
    }

    /** A count summed over every report about {@code domain}, at a JSON pointer inside its first policy. */
    static long sum(List<Report> reports, String domain, String pointer) {
        return reports.stream()
                .filter(r -> r.domain().equals(domain))
                .mapToLong(r -> r.json().at("/policies/0" + pointer).asLong())
                .sum();
    }

    @Test
    void sendsEachDomainAReportWithItsCounts() throws Exception {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tls-trust-file", ca.writePem(dataDir.resolve("ca.pem")).toString());
        keys.put("tls-policy", "{bad.test: verify}");
        keys.put("tls-rpt", "{enabled: true, interval: 2s, organization: Tern Test, contact: tls@tern.test}");
        // One attempt per message: the failures are counted once.
        keys.put("first-retry", "1m");
        keys.put("max-retry", "1m");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, keys)) {
            ScriptedSmtpPeer good = tern.exchanger("good.test", "127.0.0.2", tlsPeer(tern, ca.issue("mx.good.test")));
            ScriptedSmtpPeer bad = tern.exchanger("bad.test", "127.0.0.3", tlsPeer(tern, null));
            ScriptedSmtpPeer reports = tern.exchanger("reports.test", "127.0.0.4", tern.peer());
            tern.dns()
                    .txt("_smtp._tls.good.test", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.test")
                    .txt("_smtp._tls.bad.test", "v=TLSRPTv1;rua=https://reports.test/x,mailto:tlsrpt@reports.test");

            tern.submit("bob@good.test", "one");
            tern.submit("bob@good.test", "two");
            tern.submit("bob@bad.test", "three");
            await().atMost(WAIT).untilAsserted(() -> assertThat(good.messages()).hasSize(2));
            await().atMost(WAIT).untilAsserted(() -> assertThat(bad.sessions()).hasSize(1));

            await().atMost(WAIT).untilAsserted(() -> {
                List<Report> received = reports(reports);
                assertThat(sum(received, "good.test", "/summary/total-successful-session-count"))
                        .isEqualTo(2);
                assertThat(sum(received, "bad.test", "/summary/total-failure-session-count"))
                        .isEqualTo(1);
            });
            List<Report> received = reports(reports);
            assertThat(sum(received, "good.test", "/summary/total-failure-session-count"))
                    .isZero();
            assertThat(sum(received, "bad.test", "/summary/total-successful-session-count"))
                    .isZero();
            JsonNode badReport = received.stream()
                    .filter(r -> r.domain().equals("bad.test"))
                    .findFirst()
                    .orElseThrow()
                    .json();
            assertThat(badReport.get("organization-name").asText()).isEqualTo("Tern Test");
            assertThat(badReport.get("contact-info").asText()).isEqualTo("tls@tern.test");
            assertThat(badReport.at("/policies/0/policy/policy-type").asText()).isEqualTo("no-policy-found");
            assertThat(badReport.at("/policies/0/policy/policy-domain").asText())
                    .isEqualTo("bad.test");
            JsonNode failure = badReport.at("/policies/0/failure-details/0");
            assertThat(failure.get("result-type").asText()).isEqualTo("certificate-not-trusted");
            assertThat(failure.get("receiving-mx-hostname").asText()).isEqualTo("mx.bad.test");
            assertThat(failure.get("receiving-ip").asText()).isEqualTo("127.0.0.3");
            assertThat(failure.get("failed-session-count").asLong()).isEqualTo(1);
            assertThat(reports.messages())
                    .allSatisfy(m ->
                            assertThat(m.rcptTo()).singleElement().asString().contains("tlsrpt@reports.test"));
            assertThat(tern.server()
                            .meterRegistry()
                            .counter("smtp.relay.tls.rpt.reports", "outcome", "sent")
                            .count())
                    .isGreaterThanOrEqualTo(2.0);
        }
    }
}

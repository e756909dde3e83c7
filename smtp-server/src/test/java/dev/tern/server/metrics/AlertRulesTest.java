package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tern.server.testing.Checkout;
import dev.tern.server.testing.ExternalTools;
import dev.tern.server.testing.ExternalTools.Run;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/prometheus/alerts.yaml: Prometheus' own promtool finds the rules valid, its unit tests
 * (alerts.test.yaml) show every alert firing and staying quiet, the demo's prometheus.yml loads them, and
 * every expression names only series a running Tern prints.
 */
class AlertRulesTest {
    private static final String RULES = "docker/prometheus/alerts.yaml";
    private static final String RULE_TESTS = "docker/prometheus/alerts.test.yaml";
    private static final Duration PROMTOOL_TIME = Duration.ofSeconds(60);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    static Path dataDir;

    private static Set<String> queryable;

    @BeforeAll
    static void scrapeTern() throws Exception {
        queryable = ExposedMeters.queryable(dataDir);
    }

    @Test
    void promtoolFindsTheRulesValid() throws Exception {
        Run check = promtool("check", "rules", RULES);

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts().size() + " rules found");
    }

    @Test
    void everyAlertFiresAndStaysQuietAsItsUnitTestSays() throws Exception {
        Run test = promtool("test", "rules", RULE_TESTS);

        assertThat(test.exit()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    @Test
    void everyAlertIsShownFiringInTheUnitTests() throws Exception {
        Set<String> shownFiring = new TreeSet<>();
        for (JsonNode test : YAML.readTree(Checkout.file(RULE_TESTS).toFile()).path("tests")) {
            for (JsonNode evaluation : test.path("alert_rule_test")) {
                if (!evaluation.path("exp_alerts").isEmpty()) {
                    shownFiring.add(evaluation.path("alertname").asText());
                }
            }
        }

        assertThat(shownFiring).isEqualTo(alerts().keySet());
    }

    @Test
    void theDemoPrometheusLoadsTheRules() throws Exception {
        Run check = promtool("check", "config", "docker/prometheus.yml");

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("Checking docker/prometheus/alerts.yaml");
    }

    @Test
    void everyExpressionNamesSeriesTernPrints() throws Exception {
        alerts().forEach((alert, expression) -> assertThat(PromQl.metricNames(expression))
                .as(alert + ": " + expression)
                .isNotEmpty()
                .isSubsetOf(queryable));
    }

    /** Alert name to expression, in file order. */
    private static Map<String, String> alerts() throws Exception {
        Map<String, String> alerts = new LinkedHashMap<>();
        for (JsonNode group : YAML.readTree(Checkout.file(RULES).toFile()).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                alerts.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }
        return alerts;
    }

    private static Run promtool(String... arguments) throws Exception {
        Path promtool = ExternalTools.require("promtool", "prometheus");
        String[] command = new String[arguments.length + 1];
        command[0] = promtool.toString();
        System.arraycopy(arguments, 0, command, 1, arguments.length);
        return ExternalTools.run(Checkout.root(), PROMTOOL_TIME, command);
    }
}

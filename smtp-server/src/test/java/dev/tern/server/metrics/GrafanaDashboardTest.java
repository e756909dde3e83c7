package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.server.testing.Checkout;
import dev.tern.server.testing.ExternalTools;
import dev.tern.server.testing.ExternalTools.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/grafana/tern.json: every query of the dashboard names only series a running Tern prints, and
 * is PromQL that Prometheus' own parser (promtool) takes once Grafana's variables are filled in.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Checkout.file("docker/grafana/tern.json");
    /** {@code label_values(expression, label)}: a template variable's query. */
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*\\w+\\)");
    /** Grafana variables: {@code $__rate_interval}, {@code $instance}, {@code ${datasource}}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

    @TempDir
    static Path dataDir;

    private static Set<String> queryable;

    @BeforeAll
    static void scrapeTern() throws Exception {
        queryable = ExposedMeters.queryable(dataDir);
    }

    @Test
    void everyQueryNamesSeriesTernPrints() throws Exception {
        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThan(30);
        for (String query : queries) {
            assertThat(PromQl.metricNames(query)).as(query).isNotEmpty().isSubsetOf(queryable);
        }
    }

    @Test
    void everyQueryIsPromQlThatPrometheusParses() throws Exception {
        Path promtool = ExternalTools.require("promtool", "prometheus");
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (String query : queries()) {
            // A recording rule per query: promtool check rules parses each expression.
            rules.append("      - record: dashboard:query_")
                    .append(n++)
                    .append("\n        expr: '")
                    .append(withVariablesFilledIn(query).replace("'", "''"))
                    .append("'\n");
        }
        Path file = Files.writeString(dataDir.resolve("dashboard-rules.yaml"), rules);

        Run check = ExternalTools.run(
                dataDir, Duration.ofSeconds(60), promtool.toString(), "check", "rules", file.toString());

        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + n + " rules found");
    }

    @Test
    void panelIdsAreUniqueAndEveryPanelHasAQuery() throws Exception {
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels(new ObjectMapper().readTree(DASHBOARD.toFile()), new ArrayList<>())) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("id of " + panel.path("title"))
                    .isTrue();
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("targets"))
                        .as(panel.path("title").asText())
                        .isNotEmpty();
            }
        }
    }

    /** Every panel's queries and the template variables' queries, as written. */
    private static List<String> queries() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : panels(dashboard, new ArrayList<>())) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(variable.path("definition").asText());
            if (m.matches()) {
                queries.add(m.group(1));
            }
        }
        return queries;
    }

    /** Panels at the top and inside rows. */
    private static List<JsonNode> panels(JsonNode node, List<JsonNode> into) {
        for (JsonNode panel : node.path("panels")) {
            into.add(panel);
            panels(panel, into);
        }
        return into;
    }

    /** Range variables become 5m, every other variable (used in =~ matchers) a regular expression for all. */
    private static String withVariablesFilledIn(String query) {
        return VARIABLE.matcher(query)
                .replaceAll(m -> m.group(1).endsWith("interval") ? "5m" : Matcher.quoteReplacement(".*"));
    }
}

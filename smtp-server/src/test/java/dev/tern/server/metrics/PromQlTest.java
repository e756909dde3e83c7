package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromQlTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # expression                                                              | metric names
            up{job="tern"} == 0                                                       | up
            # functions, ranges, label matchers and aggregation labels are no metrics
            sum by (job, instance) (rate(a_total{outcome="deferred"}[15m])) / sum(rate(a_total[15m])) | a_total
            # two metrics, a keyword, numbers with exponents and units
            x_seconds > 6 * 3600 and y_total offset 5m > 1e3                          | x_seconds y_total
            # a string holding something that looks like a name
            label_replace(z, "dst", "not_a_metric", "src", "(.*)")                    | z
            histogram_quantile(0.95, sum by (le) (rate(d_seconds_bucket[$__rate_interval]))) | d_seconds_bucket
            a / on (instance) group_left (listener) b                                 | a b
            """)
    void findsTheMetricNames(String expression, String names) {
        Set<String> expected = Arrays.stream(names.split(" ")).collect(Collectors.toSet());

        assertThat(PromQl.metricNames(expression)).isEqualTo(expected);
    }
}

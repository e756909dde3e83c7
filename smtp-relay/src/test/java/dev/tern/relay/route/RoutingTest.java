package dev.tern.relay.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.metrics.DeliveryMetrics.Kind;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One decision per recipient domain, which the router follows and the metrics are tagged with. */
class RoutingTest {
    private static final Smarthost CORP = new Smarthost("smtp.corp.test", 587, ClientRoute.mx());
    private static final Routing ROUTING = new Routing(
            Set.of("local.test", "both.test"),
            Map.of("corp.test", CORP, "both.test", new Smarthost("smtp.both.test", 25, ClientRoute.mx())));

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // a local domain: Maildir
        "local.test,  LOCAL",
        // domains compare in any case (RFC 5321 2.4)
        "Local.TEST,  LOCAL",
        // a configured route
        "corp.test,   SMARTHOST",
        "CORP.test,   SMARTHOST",
        // anything else: its mail exchangers
        "remote.test, MX",
        // a subdomain is another domain
        "sub.corp.test, MX",
        // a local domain wins over a route naming it (the configuration refuses the pair)
        "both.test,   LOCAL",
    })
    void decidesEachDomainOnce(String domain, Kind kind) {
        Route route = ROUTING.of(domain);

        assertThat(route.kind()).isEqualTo(kind);
        assertThat(ROUTING.of(domain)).as("the same value every time").isSameAs(route);
    }

    @Test
    void aRoutedDomainCarriesItsSmarthost() {
        assertThat(ROUTING.of("corp.test")).isSameAs(CORP);
    }
}

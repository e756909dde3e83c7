package dev.tern.relay.route;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.metrics.DeliveryMetrics;
import java.util.Objects;

/**
 * Where a routed domain's mail goes: one host (a name, resolved like every other, or an address) and port,
 * and how to talk to it (TLS, AUTH).
 */
public record Smarthost(String host, int port, ClientRoute route) implements Route {
    public Smarthost {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(route, "route");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535");
        }
    }

    @Override
    public DeliveryMetrics.Kind kind() {
        return DeliveryMetrics.Kind.SMARTHOST;
    }
}

package dev.tern.relay.route;

import dev.tern.relay.metrics.DeliveryMetrics;

/**
 * Where a recipient domain's mail goes (RFC 5321 5): to local mailboxes, to a configured {@link
 * Smarthost}, or to the domain's mail exchangers found in DNS. A value decided once by {@link Routing};
 * the {@link Router} follows it and the delivery metrics are tagged with its {@link #kind()}, so what is
 * counted is what was done.
 */
public sealed interface Route permits Route.Local, Route.Mx, Smarthost {
    /** Maildir delivery here. */
    Route LOCAL = new Local();
    /** The mail exchangers of the recipient domain. */
    Route MX = new Mx();

    /** The route as the delivery metrics tag it. */
    DeliveryMetrics.Kind kind();

    /** A local domain: Maildir. */
    record Local() implements Route {
        @Override
        public DeliveryMetrics.Kind kind() {
            return DeliveryMetrics.Kind.LOCAL;
        }
    }

    /** Any other domain: its MX records, or its own address when it has none (RFC 5321 5.1). */
    record Mx() implements Route {
        @Override
        public DeliveryMetrics.Kind kind() {
            return DeliveryMetrics.Kind.MX;
        }
    }
}

package dev.tern.relay.dns;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.dns.MxResolution.Failure;
import dev.tern.smtp.EnhancedStatus;

/** The failures an MX resolution ends with, each with its RFC 3463 code. */
final class MxFailures {
    /** X.1.2 Bad destination system address (RFC 3463 3.2). */
    private static final EnhancedStatus BAD_DESTINATION = new EnhancedStatus(5, 1, 2);
    /** X.1.10 Recipient address has null MX (RFC 7505 4.2). */
    private static final EnhancedStatus NULL_MX = new EnhancedStatus(5, 1, 10);
    /** X.4.3 Directory server failure (RFC 3463 3.5). */
    private static final EnhancedStatus DIRECTORY_FAILURE = new EnhancedStatus(4, 4, 3);
    /** X.4.4 Unable to route (RFC 3463 3.5). */
    private static final EnhancedStatus UNABLE_TO_ROUTE = new EnhancedStatus(5, 4, 4);
    /** X.4.6 Routing loop detected (RFC 3463 3.5). */
    private static final EnhancedStatus ROUTING_LOOP = new EnhancedStatus(5, 4, 6);

    private MxFailures() {}

    static Failure noSuchDomain(String domain) {
        return new Failure(
                DeliveryStatus.PERMANENT, BAD_DESTINATION, "domain " + domain + " does not exist (NXDOMAIN)");
    }

    static Failure badLiteral(String domain) {
        return new Failure(DeliveryStatus.PERMANENT, BAD_DESTINATION, "malformed address literal " + domain);
    }

    static Failure noHostLiteral(String domain) {
        return new Failure(DeliveryStatus.PERMANENT, BAD_DESTINATION, "address literal " + domain + " names no host");
    }

    static Failure badName(String domain) {
        return new Failure(DeliveryStatus.PERMANENT, BAD_DESTINATION, "malformed domain name " + domain);
    }

    static Failure noAddress(String domain) {
        return new Failure(
                DeliveryStatus.PERMANENT, BAD_DESTINATION, "domain " + domain + " has no MX and no address record");
    }

    static Failure nullMx(String domain) {
        return new Failure(DeliveryStatus.PERMANENT, NULL_MX, "Recipient address has null MX (" + domain + ")");
    }

    static Failure dnsTrouble(String reason) {
        return new Failure(DeliveryStatus.TEMPORARY, DIRECTORY_FAILURE, "DNS lookup failed: " + reason);
    }

    static Failure noExchangerAddress(String domain, String reason) {
        return new Failure(
                DeliveryStatus.PERMANENT,
                UNABLE_TO_ROUTE,
                "no mail exchanger of " + domain + " has an address (" + reason + ")");
    }

    static Failure unknownHost(String host, String reason) {
        return new Failure(
                DeliveryStatus.PERMANENT, UNABLE_TO_ROUTE, "cannot resolve smarthost " + host + " (" + reason + ")");
    }

    static Failure loop(String domain) {
        return new Failure(DeliveryStatus.PERMANENT, ROUTING_LOOP, "mail for " + domain + " loops back to myself");
    }
}

package dev.tern.relay.delivery;

/** How an attempt ended for one recipient. */
public enum DeliveryStatus {
    /** Accepted by the next hop or written to the mailbox: done. */
    DELIVERED,
    /** Try again later (4xx, timeouts, unreachable hosts, SERVFAIL). */
    TEMPORARY,
    /** Never going to work (5xx, NXDOMAIN, null MX): bounce. */
    PERMANENT
}

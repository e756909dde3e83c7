package dev.tern.server.config;

import dev.tern.server.dkim.DkimSigner;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.PathParser;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Range and consistency checks on a bound configuration; each failure names its key path. */
final class ConfigValidator {
    /** The levels {@code log-level} takes, least told first. */
    static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");

    /**
     * The longest {@code spool.commit-delay}: beyond it a client would see its replies slow down, as every
     * message of a busy server may wait this long for its 250.
     */
    static final Duration MAX_COMMIT_DELAY = Duration.ofMillis(100);

    /**
     * The longest wait: an SMTP timeout, a delay or a lookup. RFC 5321 4.5.3.2 asks for minutes; a longer
     * one only keeps dead connections open, and a timer's deadline, now plus it in nanoseconds, stays far
     * from a long's end.
     */
    static final Duration MAX_WAIT = Duration.ofDays(1);

    /** The longest period (retries, a queue lifetime, a window, a report interval, a signature's life). */
    static final Duration MAX_PERIOD = Duration.ofDays(365);

    private ConfigValidator() {}

    static void validate(TernConfig c) {
        hostname(c.hostname());
        listeners(c);
        local(c.local(), c.hostname());
        relay(c.relay(), c.local());
        LimitsConfig l = c.limits();
        atLeast("limits.max-connections", l.maxConnections(), 1);
        atLeast("limits.max-connections-per-ip", l.maxConnectionsPerIp(), 1);
        atLeast("limits.max-message-size", l.maxMessageSize(), 1);
        atLeast("limits.max-recipients", l.maxRecipients(), 1);
        atLeast("limits.max-recipient-overshoot", l.maxRecipientOvershoot(), 0);
        atLeast("limits.max-errors", l.maxErrors(), 1);
        atLeast("limits.max-received-headers", l.maxReceivedHeaders(), 1);
        atLeast("limits.max-inflight-bytes", l.maxInflightBytes(), 1);
        atLeast("limits.max-header-size", l.maxHeaderSize(), 1);
        atLeast("limits.max-header-fields", l.maxHeaderFields(), 1);
        atLeast("limits.max-messages-per-session", l.maxMessagesPerSession(), 1);
        atLeast("limits.max-junk-commands", l.maxJunkCommands(), 1);
        atLeast("limits.error-delay-after", l.errorDelayAfter(), 0);
        notNegative("limits.error-delay", l.errorDelay(), MAX_WAIT);
        // RFC 5321 4.5.3.1.6: 1000 octets is the least any listener takes. A line longer than the
        // message size makes the message too large anyway, so the two need not agree.
        between("limits.max-submission-line-length", l.maxSubmissionLineLength(), 1000, Integer.MAX_VALUE);
        rateLimits(c.rateLimits());
        c.auth()
                .senders()
                .forEach((user, addresses) -> addresses.forEach(a -> {
                    int at = a.indexOf('@');
                    if (at < 0 || at == a.length() - 1 || a.indexOf('@', at + 1) >= 0) {
                        throw ConfigException.invalid(
                                "auth.senders." + user, "entries must be user@domain or @domain, got '" + a + "'");
                    }
                }));
        atLeast("spool.min-free-space", c.spool().minFreeSpace(), 0);
        TimeoutsConfig t = c.timeouts();
        positive("timeouts.command", t.command(), MAX_WAIT);
        positive("timeouts.data-block", t.dataBlock(), MAX_WAIT);
        positive("timeouts.command-deadline", t.commandDeadline(), MAX_WAIT);
        atLeast("timeouts.min-data-rate", t.minDataRate(), 0);
        positive("timeouts.tls-handshake", t.tlsHandshake(), MAX_WAIT);
        positive("timeouts.proxy-header", t.proxyHeader(), MAX_WAIT);
        if ((c.tls().certFile() == null) != (c.tls().keyFile() == null)) {
            String missing = c.tls().certFile() == null ? "tls.cert-file" : "tls.key-file";
            String present = c.tls().certFile() == null ? "tls.key-file" : "tls.cert-file";
            throw ConfigException.invalid(missing, "is required when " + present + " is set");
        }
        atLeast("spool.segment-size", c.spool().segmentSize(), 1);
        atLeast("spool.max-batch", c.spool().maxBatch(), 1);
        notNegative("spool.commit-delay", c.spool().commitDelay(), MAX_COMMIT_DELAY);
        delivery(c.delivery());
        for (String domain : c.delivery().routes().keySet()) {
            if (c.local().domains().contains(domain)) {
                // Mail for a domain is delivered here or passed on, never both: one route per domain.
                throw ConfigException.invalid("delivery.routes." + domain, "names a domain in local.domains");
            }
        }
        positive("dns.timeout", c.dns().timeout(), MAX_WAIT);
        if (c.dns().trustAnchorFile() != null && !Files.isReadable(c.dns().trustAnchorFile())) {
            throw ConfigException.invalid(
                    "dns.trust-anchor-file", "cannot read " + c.dns().trustAnchorFile());
        }
        dkim(c.dkim());
        notBlank("management.address", c.management().address());
        port("management.port", c.management().port());
        ManagementConfig m = c.management();
        if (m.enabled()) {
            for (ListenerConfig listener : c.listeners()) {
                if (clash(m.address(), m.port(), listener.address(), listener.port())) {
                    throw ConfigException.invalid(
                            "management.port", "duplicates the port of listener '" + listener.name() + "'");
                }
            }
        }
        notNegative("shutdown-grace", c.shutdownGrace(), MAX_WAIT);
        if (!LOG_LEVELS.contains(c.logLevel())) {
            throw ConfigException.invalid(
                    "log-level", "must be one of " + String.join(", ", LOG_LEVELS) + ", got '" + c.logLevel() + "'");
        }
    }

    private static void dkim(DkimConfig d) {
        d.domains().forEach((domain, keys) -> {
            String key = "dkim.domains." + domain;
            if (!domain.equals(DkimSigner.ANY_DOMAIN)
                    && (domain.isBlank()
                            || domain.endsWith(".")
                            || domain.chars().anyMatch(ch -> ch <= ' ' || ch == '@' || ch >= 0x7f))) {
                throw ConfigException.invalid(
                        "dkim.domains", "keys are a domain name (ASCII, A-labels) or *, got '" + domain + "'");
            }
            if (keys.isEmpty()) {
                throw ConfigException.invalid(key, "must list at least one key SELECTOR:ALGORITHM:KEY-FILE");
            }
            Set<String> selectors = new HashSet<>();
            keys.forEach(k -> {
                if (!selectors.add(k.selector())) {
                    throw ConfigException.invalid(key, "names selector '" + k.selector() + "' twice");
                }
            });
        });
        // Read now: a missing, unreadable or weak key is the operator's to fix before Tern starts.
        d.loadKeys();
        if (d.headers().stream().noneMatch(h -> h.equalsIgnoreCase("from"))) {
            // RFC 6376 5.4: the From field must be signed.
            throw ConfigException.invalid("dkim.headers", "must include From (RFC 6376 5.4)");
        }
        for (String h : d.headers()) {
            if (h.isEmpty() || h.chars().anyMatch(ch -> ch <= ' ' || ch == ':' || ch >= 0x7f)) {
                throw ConfigException.invalid("dkim.headers", "'" + h + "' is not a header field name");
            }
        }
        notNegative("dkim.expire-after", d.expireAfter(), MAX_PERIOD);
        if (!d.expireAfter().isZero() && d.expireAfter().toSeconds() < 1) {
            // RFC 6376 3.5: x= is in seconds and must be later than t=.
            throw ConfigException.invalid("dkim.expire-after", "must be 0s (no x=) or at least 1s");
        }
        between("dkim.threads", d.threads(), 1, 64);
        atLeast("dkim.max-pending", d.maxPending(), 1);
    }

    private static void rateLimits(RateLimitsConfig r) {
        atLeast("rate-limits.connections-per-minute", r.connectionsPerMinute(), 0);
        atLeast("rate-limits.messages-per-minute", r.messagesPerMinute(), 0);
        atLeast("rate-limits.recipients-per-minute", r.recipientsPerMinute(), 0);
        atLeast("rate-limits.tls-handshakes-per-minute", r.tlsHandshakesPerMinute(), 0);
        atLeast("rate-limits.auth-failures", r.authFailures(), 0);
        atLeast("rate-limits.auth-failures-per-user", r.authFailuresPerUser(), 0);
        positive("rate-limits.auth-failure-window", r.authFailureWindow(), MAX_PERIOD);
        between("rate-limits.ipv4-prefix", r.ipv4Prefix(), 1, 32);
        between("rate-limits.ipv6-prefix", r.ipv6Prefix(), 1, 128);
        atLeast("rate-limits.max-tracked-clients", r.maxTrackedClients(), 1);
    }

    /** A mailbox's folder is named after its domain and local part, in lower case (docs/flow.md). */
    private static void folderName(String key, String name) {
        if (!LocalMailboxes.isFolderName(name.toLowerCase(Locale.ROOT))) {
            throw ConfigException.invalid(
                    key, "'" + name + "' cannot name a mail folder (no / or \\, no leading dot, at most 255 bytes)");
        }
    }

    private static void local(LocalConfig l, String hostname) {
        l.domains().forEach(d -> {
            notBlank("local.domains", d);
            folderName("local.domains", d);
        });
        l.mailboxes().forEach(m -> {
            if (m.indexOf('@') <= 0 || m.indexOf('@') == m.length() - 1) {
                throw ConfigException.invalid("local.mailboxes", "entries must be user@domain, got '" + m + "'");
            }
            folderName("local.mailboxes", m.substring(0, m.lastIndexOf('@')));
        });
        l.aliases().keySet().forEach(key -> {
            int at = key.lastIndexOf('@');
            if (key.isBlank()
                    || at >= 0 && !l.domains().contains(key.substring(at + 1).toLowerCase(Locale.ROOT))) {
                throw ConfigException.invalid(
                        "local.aliases", "keys are a local part or an address of a local domain, got '" + key + "'");
            }
        });
        l.aliases().values().forEach(target -> {
            // A target here (a bare local part, or an address of a local domain) is a mailbox with a folder.
            int at = target.lastIndexOf('@');
            if (at < 0 || l.domains().contains(target.substring(at + 1).toLowerCase(Locale.ROOT))) {
                folderName("local.aliases", at < 0 ? target : target.substring(0, at));
            }
        });
        // An extension follows an unquoted local part (RFC 5322 3.2.3 atext), as Postfix's + or -.
        if (!l.recipientDelimiter().chars().allMatch(ch -> ch < 0x80 && Mailbox.isAtext(ch))) {
            throw ConfigException.invalid(
                    "local.recipient-delimiter",
                    "must be characters such as + or - (ASCII atext), got '" + l.recipientDelimiter() + "'");
        }
        if (!l.postmaster().isEmpty() && PathParser.parseMailbox(l.postmaster()).isEmpty()) {
            throw ConfigException.invalid(
                    "local.postmaster", "must be an address user@domain, got '" + l.postmaster() + "'");
        }
        if (l.postmaster().isEmpty() && l.domains().isEmpty()) {
            // RFC 5321 4.5.1: postmaster is always accepted, so its mail must have somewhere to go.
            throw ConfigException.invalid("local.postmaster", "is required when local.domains is empty");
        }
        try {
            l.rule(hostname);
        } catch (IllegalArgumentException e) {
            // Looping aliases, or a target that is no address.
            throw ConfigException.invalid("local.aliases", e.getMessage());
        }
    }

    private static void relay(RelayConfig r, LocalConfig l) {
        for (String domain : r.domains()) {
            notBlank("relay.domains", domain);
            if (l.domains().contains(domain)) {
                // Mail for a domain is delivered here or passed on, never both.
                throw ConfigException.invalid("relay.domains", "'" + domain + "' is also in local.domains");
            }
        }
        for (String address : r.recipients()) {
            int at = address.lastIndexOf('@');
            if (at <= 0 || !r.domains().contains(address.substring(at + 1).toLowerCase(Locale.ROOT))) {
                throw ConfigException.invalid(
                        "relay.recipients", "entries must be user@ a relay domain, got '" + address + "'");
            }
        }
    }

    private static void delivery(DeliveryConfig d) {
        positive("delivery.first-retry", d.firstRetry(), MAX_PERIOD);
        positive("delivery.max-retry", d.maxRetry(), MAX_PERIOD);
        positive("delivery.queue-lifetime", d.queueLifetime(), MAX_PERIOD);
        notNegative("delivery.delay-warning", d.delayWarning(), MAX_PERIOD);
        if (d.maxRetry().compareTo(d.firstRetry()) < 0) {
            throw ConfigException.invalid("delivery.max-retry", "must not be shorter than delivery.first-retry");
        }
        atLeast("delivery.max-connections", d.maxConnections(), 1);
        atLeast("delivery.max-connections-per-destination", d.maxConnectionsPerDestination(), 1);
        port("delivery.port", d.port());
        atLeast("delivery.max-mx-hosts", d.maxMxHosts(), 1);
        for (Cidr network : d.selfAddresses()) {
            if (network.prefixLength() == 0) {
                // Every mail exchanger would be this host: all mail not kept here would fail as a loop.
                throw ConfigException.invalid(
                        "delivery.self-addresses",
                        "must name this host's addresses, not every address (" + network + ")");
            }
        }
        positive("delivery.connect-timeout", d.connectTimeout(), MAX_WAIT);
        positive("delivery.idle-timeout", d.idleTimeout(), MAX_WAIT);
        positive("delivery.final-dot-timeout", d.finalDotTimeout(), MAX_WAIT);
        atLeast("delivery.shaping.initial-concurrency", d.shaping().initialConcurrency(), 1);
        positive("delivery.shaping.suspend-for", d.shaping().suspendFor(), MAX_PERIOD);
        // Read now rather than at the first message for the route: a missing secret is the operator's to fix.
        d.routes().forEach((domain, route) -> route.password(domain));
        for (String domain : d.tlsPolicy().keySet()) {
            if (!domain.matches("\\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")) {
                throw ConfigException.invalid(
                        "delivery.tls-policy." + domain, "must be a domain name, or . and a domain name");
            }
        }
        if (d.tlsTrustFile() != null && !Files.isReadable(d.tlsTrustFile())) {
            throw ConfigException.invalid("delivery.tls-trust-file", "cannot read " + d.tlsTrustFile());
        }
        port("delivery.mta-sts.port", d.mtaSts().port());
        positive("delivery.mta-sts.timeout", d.mtaSts().timeout(), MAX_WAIT);
        atLeast("delivery.mta-sts.max-policies", d.mtaSts().maxPolicies(), 1);
        positive("delivery.tls-rpt.interval", d.tlsRpt().interval(), MAX_PERIOD);
        atLeast("delivery.tls-rpt.max-domains", d.tlsRpt().maxDomains(), 1);
        if (!d.tlsRpt().from().isEmpty()
                && PathParser.parseMailbox(d.tlsRpt().from()).isEmpty()) {
            throw ConfigException.invalid(
                    "delivery.tls-rpt.from",
                    "must be an address, got '" + d.tlsRpt().from() + "'");
        }
        printable("delivery.tls-rpt.organization", d.tlsRpt().organization());
        printable("delivery.tls-rpt.contact", d.tlsRpt().contact());
        positive("delivery.dane.timeout", d.dane().timeout(), MAX_WAIT);
    }

    /** A value that goes into a report as it is (the TLS report's JSON and message): printable ASCII only. */
    private static void printable(String key, String value) {
        if (value.chars().anyMatch(ch -> ch < ' ' || ch >= 0x7f)) {
            throw ConfigException.invalid(key, "must be printable ASCII");
        }
    }

    private static void hostname(String hostname) {
        notBlank("hostname", hostname);
        // The name goes into the 220 greeting and EHLO reply (RFC 5321 4.1.1.1): no spaces or controls.
        if (hostname.chars().anyMatch(ch -> ch <= ' ' || ch >= 0x7f)) {
            throw ConfigException.invalid("hostname", "must be a domain name without spaces, got '" + hostname + "'");
        }
        // RFC 5321 4.1.2 Domain has no trailing dot; with one, Tern would not know itself in an MX list (5.1).
        if (hostname.endsWith(".")) {
            throw ConfigException.invalid("hostname", "must not end with a dot, got '" + hostname + "'");
        }
    }

    private static void listeners(TernConfig c) {
        if (c.listeners().isEmpty()) {
            throw ConfigException.invalid("listeners", "must name at least one listener");
        }
        List<ListenerConfig> bound = new ArrayList<>();
        for (ListenerConfig listener : c.listeners()) {
            String key = "listeners." + listener.name();
            if (listener.mode() == null) {
                throw ConfigException.invalid(key + ".mode", "is required (mx, submission or smtps)");
            }
            notBlank(key + ".address", listener.address());
            port(key + ".port", listener.port());
            proxyProtocolFrom(key + ".proxy-protocol-from", listener.proxyProtocolFrom());
            for (ListenerConfig other : bound) {
                if (clash(listener.address(), listener.port(), other.address(), other.port())) {
                    throw ConfigException.invalid(
                            key + ".port", "duplicates the port of listener '" + other.name() + "'");
                }
            }
            bound.add(listener);
        }
    }

    /**
     * A PROXY header sets the client address that relay permission and limits are decided on, so only
     * named load balancers may send one: a network of every address would let any client claim to be
     * a trusted network.
     */
    private static void proxyProtocolFrom(String key, List<Cidr> networks) {
        for (Cidr network : networks) {
            if (network.prefixLength() == 0) {
                throw ConfigException.invalid(key, "must name the load balancers, not every address (" + network + ")");
            }
        }
    }

    /** Two listeners clash on the same port at the same or a wildcard address; port 0 never clashes. */
    private static boolean clash(String addressA, int portA, String addressB, int portB) {
        return portA != 0
                && portA == portB
                && (addressA.equals(addressB) || isWildcard(addressA) || isWildcard(addressB));
    }

    private static boolean isWildcard(String address) {
        return address.equals("0.0.0.0") || address.equals("::") || address.equals("[::]") || address.equals("*");
    }

    private static void port(String key, int port) {
        if (port < 0 || port > 65535) {
            throw ConfigException.invalid(key, "must be a port number 0..65535, got " + port);
        }
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw ConfigException.invalid(key, "must be at least " + min + ", got " + value);
        }
    }

    private static void between(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw ConfigException.invalid(key, "must be " + min + ".." + max + ", got " + value);
        }
    }

    private static void notNegative(String key, Duration value, Duration max) {
        if (value.isNegative()) {
            throw ConfigException.invalid(key, "must not be negative");
        }
        atMost(key, value, max);
    }

    private static void positive(String key, Duration value, Duration max) {
        if (value.isZero() || value.isNegative()) {
            throw ConfigException.invalid(key, "must be longer than zero");
        }
        atMost(key, value, max);
    }

    private static void atMost(String key, Duration value, Duration max) {
        if (value.compareTo(max) > 0) {
            throw ConfigException.invalid(
                    key,
                    "must be at most " + ConfigValues.formatDuration(max) + ", got "
                            + ConfigValues.formatDuration(value));
        }
    }

    private static void notBlank(String key, String value) {
        if (value == null || value.isBlank()) {
            throw ConfigException.invalid(key, "must not be empty");
        }
    }
}

package dev.tern.server.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole effective configuration. Built by {@link ConfigLoader}, which validates every value; the
 * compact constructors only refuse nulls so that a half-built tree cannot escape.
 */
public record TernConfig(
        String hostname,
        Path dataDir,
        @JsonDeserialize(using = ListenerBinding.Deserializer.class)
                @JsonSerialize(using = ListenerBinding.Serializer.class)
                List<ListenerConfig> listeners,
        LocalConfig local,
        RelayConfig relay,
        LimitsConfig limits,
        RateLimitsConfig rateLimits,
        TimeoutsConfig timeouts,
        TlsConfig tls,
        AuthConfig auth,
        SpoolConfig spool,
        DeliveryConfig delivery,
        DnsConfig dns,
        DkimConfig dkim,
        ManagementConfig management,
        Duration shutdownGrace,
        String logLevel) {

    public TernConfig {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(dataDir, "dataDir");
        listeners = List.copyOf(listeners);
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(rateLimits, "rateLimits");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(spool, "spool");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(dns, "dns");
        Objects.requireNonNull(dkim, "dkim");
        Objects.requireNonNull(management, "management");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(logLevel, "logLevel");
    }

    /** The listener with this name, if configured. */
    public Optional<ListenerConfig> listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst();
    }
}

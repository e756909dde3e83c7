package dev.tern.relay.tls;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Finds the MTA-STS policy of a recipient domain (RFC 8461 3, 5). */
public interface MtaSts {

    /**
     * The domain's policy in force: fresh, cached, or none. Never fails; completes within the configured
     * bound even when the policy host is slow (a fetch still under way then only fills the cache).
     */
    CompletionStage<Optional<MtaStsPolicy>> policy(String domain);
}

package dev.tern.relay.dns;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.smtp.EnhancedStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** What an MX resolution found: mail exchangers to try, or why there are none. */
public sealed interface MxResolution {

    /**
     * Mail exchangers sorted by preference, lower first (RFC 5321 5.1); hosts of equal preference
     * are adjacent and form one group (see {@link #groups()}), whose order is left to the {@link
     * HostSelector}.
     *
     * @param leftOutForNow the preference of the most preferred host of the MX list left out for now (its address
     *     lookup failed for now: SERVFAIL, a timeout), or {@link Integer#MAX_VALUE} when none was: mail that the hosts
     *     behind it cannot take for good (one of them is this server) waits for it rather than being returned
     */
    record Exchangers(List<MailExchanger> exchangers, int leftOutForNow) implements MxResolution {

        /** Exchangers with no host left out for now. */
        public Exchangers(List<MailExchanger> exchangers) {
            this(exchangers, Integer.MAX_VALUE);
        }

        public Exchangers {
            exchangers = List.copyOf(exchangers);
            if (exchangers.isEmpty()) {
                throw new IllegalArgumentException("no mail exchangers: use a Failure");
            }
            for (int i = 1; i < exchangers.size(); i++) {
                if (exchangers.get(i - 1).preference() > exchangers.get(i).preference()) {
                    throw new IllegalArgumentException("mail exchangers must be sorted by preference");
                }
            }
        }

        /** The exchangers split into runs of equal preference, lowest preference first. */
        public List<List<MailExchanger>> groups() {
            List<List<MailExchanger>> groups = new ArrayList<>();
            List<MailExchanger> current = new ArrayList<>();
            for (MailExchanger exchanger : exchangers) {
                if (!current.isEmpty() && current.getFirst().preference() != exchanger.preference()) {
                    groups.add(List.copyOf(current));
                    current.clear();
                }
                current.add(exchanger);
            }
            groups.add(List.copyOf(current));
            return List.copyOf(groups);
        }
    }

    /**
     * No usable mail exchanger: {@code status} is {@link DeliveryStatus#TEMPORARY} (try again later)
     * or {@link DeliveryStatus#PERMANENT} (bounce), and {@code enhancedStatus} carries the matching
     * class (4 or 5, RFC 3463 3.1). {@code diagnostic} is text fit for a DSN.
     */
    record Failure(DeliveryStatus status, EnhancedStatus enhancedStatus, String diagnostic) implements MxResolution {

        public Failure {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(enhancedStatus, "enhancedStatus");
            Objects.requireNonNull(diagnostic, "diagnostic");
            int expectedClass =
                    switch (status) {
                        case TEMPORARY -> 4;
                        case PERMANENT -> 5;
                        case DELIVERED -> throw new IllegalArgumentException("a failure cannot be DELIVERED");
                    };
            if (enhancedStatus.statusClass() != expectedClass) {
                throw new IllegalArgumentException(
                        status + " needs a " + expectedClass + ".x.x status: " + enhancedStatus);
            }
        }

        public boolean isTemporary() {
            return status == DeliveryStatus.TEMPORARY;
        }
    }
}

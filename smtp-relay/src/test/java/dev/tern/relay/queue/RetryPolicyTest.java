package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.spool.RecipientState;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The retry and expiry policy as a table: outcome, age and attempts in, next state and time out. */
class RetryPolicyTest {
    /** Postfix-like: first retry 5 min, at most 4 h apart, five days in all, a warning after 4 h. */
    private static final RetryPolicy POLICY =
            new RetryPolicy(Duration.ofMinutes(5), Duration.ofHours(4), Duration.ofDays(5), Duration.ofHours(4));

    private static final long ARRIVAL = 1_900_000_000_000L;

    @ParameterizedTest(name = "{0} at {1} after {2} attempts, jitter {3}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # outcome | age      | attempts | jitter | kind      | next attempt after the attempt | expired
            # final outcomes stay final, whatever the age
            DELIVERED | PT0S     | 1        | 0.5    | DELIVERED | PT0S                           | false
            PERMANENT | PT0S     | 1        | 0.5    | FAILED    | PT0S                           | false
            PERMANENT | P10D     | 40       | 0.5    | FAILED    | PT0S                           | false
            # a temporary failure waits first-retry, then twice as long each time
            TEMPORARY | PT0S     | 1        | 0.5    | DEFERRED  | PT5M                           | false
            TEMPORARY | PT5M     | 2        | 0.5    | DEFERRED  | PT10M                          | false
            TEMPORARY | PT15M    | 3        | 0.5    | DEFERRED  | PT20M                          | false
            TEMPORARY | PT35M    | 4        | 0.5    | DEFERRED  | PT40M                          | false
            # ... up to max-retry, and no further however many attempts
            TEMPORARY | PT10H    | 7        | 0.5    | DEFERRED  | PT4H                           | false
            TEMPORARY | P2D      | 1000     | 0.5    | DEFERRED  | PT4H                           | false
            # jitter spreads the wait between 90% and 110%
            TEMPORARY | PT0S     | 1        | 0.0    | DEFERRED  | PT4M30S                        | false
            TEMPORARY | PT0S     | 1        | 0.999  | DEFERRED  | PT5M29.94S                     | false
            # the last retry falls at the end of the lifetime, not up to max-retry after it
            TEMPORARY | PT118H   | 20       | 0.5    | DEFERRED  | PT2H                           | false
            TEMPORARY | PT119H59M | 20      | 0.5    | DEFERRED  | PT1M                           | false
            # a temporary failure at or past the lifetime is final: 4.4.7
            TEMPORARY | PT120H   | 21       | 0.5    | FAILED    | PT0S                           | true
            TEMPORARY | P30D     | 2        | 0.5    | FAILED    | PT0S                           | true
            """)
    void decidesTheNextState(
            DeliveryStatus outcome,
            Duration age,
            int attempts,
            double jitter,
            RecipientState.Kind kind,
            Duration wait,
            boolean expired) {
        long now = ARRIVAL + age.toMillis();

        RetryPolicy.Next next = POLICY.after(outcome, ARRIVAL, now, attempts, jitter);

        assertThat(next.kind()).isEqualTo(kind);
        assertThat(next.nextAttemptMillis())
                .isEqualTo(kind == RecipientState.Kind.DEFERRED ? now + wait.toMillis() : 0);
        assertThat(next.expired()).isEqualTo(expired);
    }

    @ParameterizedTest(name = "warning after {0} at age {1}: {2}")
    @CsvSource({
        // off
        "PT0S, P3D,     false",
        // not yet, then due
        "PT4H, PT3H59M, false",
        "PT4H, PT4H,    true",
        "PT4H, P2D,     true",
    })
    void saysWhenTheDelayWarningIsDue(Duration warning, Duration age, boolean due) {
        RetryPolicy policy = new RetryPolicy(Duration.ofMinutes(5), Duration.ofHours(4), Duration.ofDays(5), warning);

        assertThat(policy.delayWarningDue(ARRIVAL, ARRIVAL + age.toMillis())).isEqualTo(due);
    }

    @ParameterizedTest(name = "{0} {1} {2} {3}")
    @CsvSource({
        // a first retry of zero would retry at once, forever
        "PT0S, PT1H,  P5D, PT0S",
        // max below first
        "PT1H, PT5M,  P5D, PT0S",
        // a negative lifetime or warning
        "PT5M, PT1H, -P1D, PT0S",
        "PT5M, PT1H,  P5D, -PT1H",
    })
    void refusesSettingsThatMakeNoSchedule(Duration first, Duration max, Duration lifetime, Duration warning) {
        assertThatThrownBy(() -> new RetryPolicy(first, max, lifetime, warning))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

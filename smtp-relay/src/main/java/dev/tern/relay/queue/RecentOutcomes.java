package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryStatus;

/**
 * Recipients delivered, deferred and failed at one destination over the last {@value #MINUTES} minutes,
 * in one bucket per minute: a fixed size whatever the traffic. Queue thread only.
 */
final class RecentOutcomes {
    static final int MINUTES = 10;
    private static final long MINUTE_MILLIS = 60_000;

    /** Per bucket: the minute it counts (epoch minutes), then delivered, deferred, failed. */
    private final long[] minute = new long[MINUTES];

    private final int[][] counts = new int[MINUTES][3];

    void add(DeliveryStatus status, long nowMillis) {
        long m = nowMillis / MINUTE_MILLIS;
        int b = (int) (m % MINUTES);
        if (minute[b] != m) {
            minute[b] = m;
            counts[b][0] = 0;
            counts[b][1] = 0;
            counts[b][2] = 0;
        }
        counts[b][
                switch (status) {
                    case DELIVERED -> 0;
                    case TEMPORARY -> 1;
                    case PERMANENT -> 2;
                }]++;
    }

    /** The counts of the last {@value #MINUTES} minutes up to {@code nowMillis}. */
    DestinationSnapshot.Outcomes snapshot(long nowMillis) {
        long m = nowMillis / MINUTE_MILLIS;
        int[] sum = new int[3];
        for (int b = 0; b < MINUTES; b++) {
            if (minute[b] > m - MINUTES && minute[b] <= m) {
                for (int k = 0; k < 3; k++) {
                    sum[k] += counts[b][k];
                }
            }
        }
        return new DestinationSnapshot.Outcomes(sum[0], sum[1], sum[2]);
    }

    /** Whether nothing was counted in the window (the state may be forgotten). */
    boolean empty(long nowMillis) {
        DestinationSnapshot.Outcomes o = snapshot(nowMillis);
        return o.delivered() + o.deferred() + o.failed() == 0;
    }
}

package dev.tern.server.smtp;

import dev.tern.server.metrics.SessionMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A metrics recorder for tests that keeps every refusal it is told of, in order. */
final class RecordingMetrics implements SessionMetrics {
    final List<Refusal> refusals = new CopyOnWriteArrayList<>();

    @Override
    public void refused(Refusal what) {
        refusals.add(what);
    }
}

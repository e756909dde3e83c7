package dev.tern.relay.spool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An executor in front of another, for the dependents of spool stages. The writer completes a whole
 * group commit at once, and each stage's dependent that hops to the other executor would wake its thread
 * again, often only to find one task. Tasks handed over on the writer thread are therefore kept until the
 * batch's stages have all completed, then given to the target as one task that runs them in order; tasks
 * from any other thread go to the target at once.
 */
final class WriterHandOff implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(WriterHandOff.class);

    private final Executor target;
    private final Thread writer;
    /** Writer thread only. */
    private List<Runnable> pending = new ArrayList<>();

    WriterHandOff(Executor target, Thread writer) {
        this.target = target;
        this.writer = writer;
    }

    @Override
    public void execute(Runnable task) {
        if (Thread.currentThread() == writer) {
            pending.add(task);
        } else {
            target.execute(task);
        }
    }

    /** Hands what the writer kept to the target, as one task; on the writer thread, after each batch. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Runnable> tasks = pending;
        pending = new ArrayList<>();
        try {
            target.execute(() -> runAll(tasks));
        } catch (RejectedExecutionException e) {
            LOG.debug("spool: {} tasks refused, their executor is shut down", tasks.size());
        }
    }

    /** One task's failure must not keep the others from running: each was handed over on its own. */
    private static void runAll(List<Runnable> tasks) {
        for (Runnable task : tasks) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.error("spool: a task handed over after a batch failed", e);
            }
        }
    }
}

package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NettyRuntime;
import org.junit.jupiter.api.Test;

/** One event loop per processor by default, not Netty's two; the operator's number when given. */
class EventLoopsTest {

    @Test
    void theWorkersAreOnePerProcessorTheJvmMayUse() {
        assertThat(System.getProperty(EventLoops.IO_THREADS_PROPERTY))
                .as("this test needs Netty's property unset")
                .isNull();
        assertThat(EventLoops.ioThreads(2)).isEqualTo(2);
        assertThat(EventLoops.ioThreads(16)).isEqualTo(16);
        assertThat(EventLoops.ioThreads(0)).as("never none").isEqualTo(1);
        EventLoops loops = EventLoops.create();
        try {
            assertThat(loops.workers().iterator()).toIterable().hasSize(NettyRuntime.availableProcessors());
            assertThat(loops.acceptors().iterator()).toIterable().hasSize(1);
        } finally {
            loops.shutdown();
        }
    }

    @Test
    void nettysPropertyStillSetsTheNumber() {
        System.setProperty(EventLoops.IO_THREADS_PROPERTY, "3");
        try {
            assertThat(EventLoops.ioThreads(2)).isEqualTo(3);
            EventLoops loops = EventLoops.create();
            try {
                assertThat(loops.workers().iterator()).toIterable().hasSize(3);
            } finally {
                loops.shutdown();
            }
        } finally {
            System.clearProperty(EventLoops.IO_THREADS_PROPERTY);
        }
    }
}

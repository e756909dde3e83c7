package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.NettyRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** One event loop per processor by default, not Netty's two; the operator's number when given. */
class EventLoopsTest {

    @ParameterizedTest(name = "property {0} on {1} processors: {2} loops")
    @CsvSource(
            nullValues = "unset",
            textBlock =
                    """
            unset, 2,  2
            unset, 16, 16
            '',    4,  4
            6,     2,  6
            ' 3 ', 2,  3
            0,     2,  1
            -4,    2,  1
            many,  2,  2
            unset, 0,  1
            """)
    void loopsPerProcessorUnlessTheOperatorSaysOtherwise(String property, int processors, int loops) {
        assertThat(EventLoops.ioThreads(property, processors)).isEqualTo(loops);
    }

    @Test
    void theWorkersAreOnePerProcessorTheJvmMayUse() {
        assertThat(System.getProperty(EventLoops.IO_THREADS_PROPERTY)).isNull();
        EventLoops loops = EventLoops.create();
        try {
            assertThat(loops.workers().iterator()).toIterable().hasSize(NettyRuntime.availableProcessors());
            assertThat(loops.acceptors().iterator()).toIterable().hasSize(1);
        } finally {
            loops.shutdown();
        }
    }
}

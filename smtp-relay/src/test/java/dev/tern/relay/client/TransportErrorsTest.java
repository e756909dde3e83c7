package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Transport failures read as an operator says them, whatever the transport's exception. */
class TransportErrorsTest {

    static List<Arguments> failures() {
        return List.of(
                // NIO: Netty's AnnotatedConnectException is a ConnectException with the address appended
                Arguments.of(new ConnectException("Connection refused: /127.0.0.1:2525"), "connection refused"),
                // epoll and io_uring: the C library's text behind the call
                Arguments.of(new ConnectException("connect(..) failed: Connection refused"), "connection refused"),
                // Bootstrap's CONNECT_TIMEOUT_MILLIS
                Arguments.of(
                        new ConnectTimeoutException("connection timed out after 30000 ms: /192.0.2.1:25"),
                        "connection timed out"),
                // the kernel gave up on the SYN
                Arguments.of(new ConnectException("connect(..) failed: Connection timed out"), "connection timed out"),
                Arguments.of(new NoRouteToHostException("No route to host"), "no route to host"),
                Arguments.of(new SocketException("Network is unreachable"), "network unreachable"),
                Arguments.of(new IOException("Connection reset by peer"), "connection reset by the peer"),
                Arguments.of(
                        new IOException("readAddress(..) failed: Connection reset by peer"),
                        "connection reset by the peer"),
                Arguments.of(new ClosedChannelException(), "connection closed"),
                // anything rarer keeps its message, never the class name or the address
                Arguments.of(
                        new ConnectException("Protocol not available: /127.0.0.1:25"),
                        "connection failed: protocol not available"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("failures")
    void describesTheFailureInWords(Throwable failure, String expected) {
        assertThat(TransportErrors.describe(failure)).isEqualTo(expected);
    }
}

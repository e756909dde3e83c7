package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tern.server.testing.ExternalTools;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener's sockets on real loopback sockets: on epoll one per event loop, each loop serving what its own
 * socket accepted; a port already taken refused, as without sharing; closing stops every socket.
 */
class ListenerSocketsTest {

    private EventLoops loops;
    /** Each accepted connection's event loop, against the loop of the socket that accepted it. */
    private final Map<Channel, EventLoop> acceptedBy = new ConcurrentHashMap<>();

    private final ChannelInitializer<Channel> recorder = new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {
            acceptedBy.put(ch, ch.parent().eventLoop());
        }
    };

    @BeforeEach
    void epoll() {
        // The native transport is the one these tests are about, and the one Linux, CI and the image run.
        assertThat(Epoll.isAvailable())
                .as("epoll: %s", Epoll.unavailabilityCause())
                .isTrue();
        loops = EventLoops.create();
    }

    @AfterEach
    void shutDown() {
        loops.shutdown();
    }

    @Test
    void eachEventLoopAcceptsOnItsOwnSocketAndServesWhatItAccepted() throws Exception {
        int workers = count(loops.workers());
        ListenerSockets listener = ListenerSockets.bind(loops, "127.0.0.1", 0, recorder);
        try {
            assertThat(listener.sockets()).isEqualTo(workers);
            assertThat(listener.accepting()).isTrue();
            // The kernel spreads connections by their addresses and ports: 32 per loop reach every loop
            // unless one in about e^32 draws misses one.
            int connections = 32 * workers;
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < connections; i++) {
                    Socket client = new Socket();
                    clients.add(client);
                    // From four client addresses, as a listener's real clients come from many.
                    client.bind(new InetSocketAddress("127.0.0." + (1 + i % 4), 0));
                    client.connect(listener.address(), 5_000);
                }
                await().atMost(Duration.ofSeconds(10)).until(acceptedBy::size, n -> n == connections);
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            Set<EventLoop> serving = new HashSet<>();
            acceptedBy.forEach((child, acceptor) -> {
                assertThat(child.eventLoop())
                        .as("the loop that accepted it serves it")
                        .isSameAs(acceptor);
                serving.add(acceptor);
            });
            assertThat(serving).as("every loop accepts").hasSize(workers);
        } finally {
            listener.close();
        }
    }

    @Test
    void aPortAlreadyTakenIsRefusedAsWithoutSharing() throws Exception {
        ListenerSockets first = ListenerSockets.bind(loops, "127.0.0.1", 0, recorder);
        try {
            int port = first.address().getPort();
            assertThatThrownBy(() -> ListenerSockets.bind(loops, "127.0.0.1", port, recorder))
                    .isInstanceOf(BindException.class)
                    .hasMessageContaining("127.0.0.1:" + port);
            try (ServerSocket later = new ServerSocket()) {
                later.setReuseAddress(true);
                assertThatThrownBy(() -> later.bind(first.address()))
                        .as("a program that binds the port later, without asking to share")
                        .isInstanceOf(BindException.class);
            }
            try (Socket client = new Socket()) {
                client.connect(first.address(), 5_000);
                await().atMost(Duration.ofSeconds(10)).until(acceptedBy::size, n -> n == 1);
            }
            assertThat(first.accepting()).isTrue();
        } finally {
            first.close();
        }
        try (ServerSocket other = new ServerSocket()) {
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = other.getLocalPort();
            assertThatThrownBy(() -> ListenerSockets.bind(loops, "127.0.0.1", port, recorder))
                    .as("a port another program listens on")
                    .isInstanceOf(BindException.class);
        }
    }

    @Test
    void aProcessThatJoinedThePortBeforeTheSocketsWereBoundIsFoundAndTheListenerGivesUp() throws Exception {
        // Another Tern that claimed the port in the moment after this one's claim: it asks to share.
        try (ServerSocketChannel other = ServerSocketChannel.open()) {
            other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            other.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = ((InetSocketAddress) other.getLocalAddress()).getPort();

            assertThatThrownBy(() -> ListenerSockets.bindShared(loops, "127.0.0.1", port, recorder))
                    .isInstanceOf(BindException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": another process listens on it"
                            + " too, sharing it with SO_REUSEPORT (socket inodes [");
            String listed = String.format(":%04X", port);
            assertThat(PortListeners.listening().values().stream().filter(address -> address.endsWith(listed)))
                    .as("the listener's own sockets are closed again; the other one is left")
                    .hasSize(1);
        }
    }

    @Test
    void anIpv4SocketOfAnotherProgramThatJoinedThePortIsFoundToo() throws Exception {
        // Not Java: a plain IPv4 socket, listed in /proc/net/tcp where Tern's IPv6 ones are in tcp6.
        Path python = ExternalTools.require("python3", "python3");
        Process other = new ProcessBuilder(
                        python.toString(),
                        "-c",
                        "import socket, sys\n"
                                + "s = socket.socket(socket.AF_INET)\n"
                                + "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)\n"
                                + "s.bind(('127.0.0.1', 0))\n"
                                + "s.listen()\n"
                                + "print(s.getsockname()[1], flush=True)\n"
                                + "sys.stdin.read()\n")
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try {
            String line = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertThat(line).as("the other program's port").isNotNull();
            int port = Integer.parseInt(line.trim());

            assertThatThrownBy(() -> ListenerSockets.bindShared(loops, "127.0.0.1", port, recorder))
                    .isInstanceOf(BindException.class)
                    .hasMessageStartingWith("cannot listen on 127.0.0.1:" + port + ": another process listens on it"
                            + " too, sharing it with SO_REUSEPORT");
        } finally {
            other.destroy();
            other.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aListenerAloneOnItsPortFindsItsOwnSocketsListedAndNoOther() throws Exception {
        ListenerSockets listener = ListenerSockets.bind(loops, "127.0.0.1", 0, recorder);
        try {
            Map<Long, String> listening = PortListeners.listening();
            String port = String.format(":%04X", listener.address().getPort());
            assertThat(listening.values().stream().filter(address -> address.endsWith(port)))
                    .as("the kernel lists one listening socket per event loop on the port")
                    .hasSize(listener.sockets());
            assertThat(listener.others()).isEmpty();
            try (ServerSocketChannel other = ServerSocketChannel.open()) {
                other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                other.bind(listener.address());
                assertThat(listener.others()).as("a socket that joins later").hasSize(1);
            }
        } finally {
            listener.close();
        }
    }

    @Test
    void anAddressNotOnThisHostIsRefusedWithTheAddressNamed() {
        // 192.0.2.1 (TEST-NET-1) is on no interface here: the bind fails locally, nothing is sent.
        assertThatThrownBy(() -> ListenerSockets.bind(loops, "192.0.2.1", 0, recorder))
                .isInstanceOf(BindException.class)
                .hasMessage("cannot listen on 192.0.2.1:0: Cannot assign requested address");
    }

    @Test
    void closingStopsEverySocket() throws Exception {
        ListenerSockets listener = ListenerSockets.bind(loops, "127.0.0.1", 0, recorder);
        InetSocketAddress address = listener.address();
        listener.close();

        assertThat(listener.accepting()).isFalse();
        for (int i = 0; i < 8; i++) {
            assertThatThrownBy(() -> connect(address)).isInstanceOf(ConnectException.class);
        }
        ListenerSockets again = ListenerSockets.bind(loops, "127.0.0.1", address.getPort(), recorder);
        assertThat(again.address().getPort()).as("the port is free again").isEqualTo(address.getPort());
        again.close();
    }

    @Test
    void onNioOneSocketHandsConnectionsToTheLoops() throws Exception {
        var group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        var workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        EventLoops nio = new EventLoops(group, workers, NioServerSocketChannel.class, NioSocketChannel.class);
        try {
            ListenerSockets listener = ListenerSockets.bind(nio, "127.0.0.1", 0, recorder);
            assertThat(listener.sockets()).isOne();
            try (Socket client = new Socket()) {
                client.connect(listener.address(), 5_000);
                await().atMost(Duration.ofSeconds(10)).until(acceptedBy::size, n -> n == 1);
            }
            Channel child = acceptedBy.keySet().iterator().next();
            assertThat(acceptedBy.get(child))
                    .as("accepted on the accepting loop")
                    .isSameAs(group.next());
            assertThat(child.eventLoop()).isNotSameAs(group.next());
            listener.close();
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static void connect(InetSocketAddress address) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(address, 5_000);
        }
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}

package dev.tern.server.it.delivery;

import dev.tern.server.cli.TernCommand;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The {@code tern} command line run in the test's JVM, as an operator types it, with its output and exit code. */
final class TernCli {
    private TernCli() {}

    /** What a run printed and how it ended. */
    record Run(int exit, String out, String err) {}

    /** {@code tern ARGS...}, with an empty environment and standard input. */
    static Run run(List<String> args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TernCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]))
                .setOut(new PrintWriter(out))
                .setErr(new PrintWriter(err))
                .execute(args.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** {@code tern COMMAND ARGS... --server URL --token-file FILE} against {@code tern}'s admin API. */
    static Run admin(DeliveryFixture tern, String command, String... args) {
        List<String> all = new ArrayList<>();
        all.add(command);
        all.addAll(List.of(args));
        all.addAll(List.of(
                "--server",
                server(tern),
                "--token-file",
                tern.dataDir().resolve("admin-token").toString()));
        return run(all);
    }

    /** The admin API's address as {@code --server} takes it. */
    static String server(DeliveryFixture tern) {
        return "http://127.0.0.1:" + tern.server().managementAddress().getPort();
    }

    /** A loopback port nothing listens on (it was bound a moment ago and closed). */
    static int closedPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

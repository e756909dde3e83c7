package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class SinkCommandTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1 port (\\d+) seed=7");

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private CommandLine commandLine(SinkCommand sink) {
        CommandLine line = new CommandLine(sink);
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        return line;
    }

    @Test
    void printsCountsWhileRunningAndASummaryWhenStopped() throws Exception {
        SinkCommand sink = new SinkCommand();
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> commandLine(sink)
                .execute("--port", "0", "--seed", "7", "--stats-every", "200ms", "--rcpt-reject", "100"));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> LISTENING.matcher(out.toString()).find());
        Matcher m = LISTENING.matcher(out.toString());
        assertThat(m.find()).isTrue();

        SMTPClient client = new SMTPClient();
        client.connect("127.0.0.1", Integer.parseInt(m.group(1)));
        try {
            assertThat(client.login("client.test")).isTrue();
            assertThat(client.setSender("a@client.test")).isTrue();
            assertThat(client.addRecipient("b@sink.test")).isFalse();
            assertThat(client.getReplyString()).startsWith("550 5.1.1");
            assertThat(client.logout()).isTrue();
            assertThat(client.getReplyCode()).isEqualTo(221);
        } finally {
            client.disconnect();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> out.toString()
                .contains(
                        "connections=1 messages=0 recipients=0 bytes=0 refused=0" + " rcpt-tempfail=0 rcpt-reject=1"));

        sink.stop.countDown();

        assertThat(exit.get()).isZero();
        assertThat(out.toString()).containsPattern("tern sink: summary [0-9.]+s connections=1 .* rcpt-reject=1 ");
    }

    @Test
    void aPortInUseExitsTwoNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int code = commandLine(new SinkCommand()).execute("--port", Integer.toString(taken.getLocalPort()));

            assertThat(code).isEqualTo(2);
            assertThat(err.toString()).contains("tern: sink: cannot listen on 127.0.0.1 port " + taken.getLocalPort());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // the tempfail and reject shares of one step exceed 100
                "--rcpt-tempfail=70 --rcpt-reject=40 | add up to at most 100",
                // a share is a percentage
                "--drop=101                          | drop is a percentage",
                // the 421 text must be a 4xx or 5xx reply
                "--reply=250 ok                      | expected a reply such as",
                // durations carry their unit
                "--delay=5                           | expected a duration",
            })
    void refusesBadOptionsWithExitTwo(String arguments, String message) {
        int code = commandLine(new SinkCommand()).execute(arguments.split(" (?=--)"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains(message);
    }
}

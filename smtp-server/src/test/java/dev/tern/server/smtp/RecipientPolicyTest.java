package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecipientPolicyTest {
    private static final RecipientPolicy POLICY = new RecipientPolicy(
            new LocalMailboxes(
                    List.of("local.test"),
                    // x/y is listed though no folder can be named so (the configuration refuses it; the rule too).
                    List.of("alice@local.test", "x/y@local.test"),
                    Map.of("away", "bob@elsewhere.test"),
                    "+",
                    "",
                    "mx.test"),
            List.of("relay.test", "Gateway.Test"),
            List.of("bob@relay.test", "Carol@Gateway.test"),
            address -> address.getHostAddress().startsWith("10."));

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                      | client    | auth | forward-path              | verdict
            a local mailbox, from anyone                | 192.0.2.1 | no   | alice@local.test          | 250 alice@local.test
            an unknown local user                       | 10.0.0.1  | yes  | eve@local.test            | 550 5.1.1
            a mailbox no folder can be named after      | 10.0.0.1  | yes  | x/y@local.test            | 550 5.1.3
            an alias is stored as its target            | 192.0.2.1 | no   | away@local.test           | 250 bob@elsewhere.test
            a listed relay recipient, from anyone       | 192.0.2.1 | no   | Bob@Relay.Test            | 250 Bob@Relay.Test
            a listed recipient of another relay domain  | 192.0.2.1 | no   | carol@gateway.test        | 250 carol@gateway.test
            an unlisted relay recipient                 | 192.0.2.1 | no   | eve@relay.test            | 550 5.1.1
            ... even from a trusted network             | 10.0.0.1  | no   | eve@relay.test            | 550 5.1.1
            ... even authenticated                      | 192.0.2.1 | yes  | eve@relay.test            | 550 5.1.1
            no extensions for relay recipients          | 192.0.2.1 | no   | bob+x@relay.test          | 550 5.1.1
            its postmaster, listed or not (RFC 5321 4.5.1) | 192.0.2.1 | no | PostMaster@relay.test | 250 PostMaster@relay.test
            a subdomain of a relay domain is not one    | 192.0.2.1 | no   | bob@sub.relay.test        | 554 5.7.1
            elsewhere, from anyone                      | 192.0.2.1 | no   | x@remote.test             | 554 5.7.1
            elsewhere, from a trusted network           | 10.0.0.1  | no   | x@remote.test             | 250 x@remote.test
            elsewhere, authenticated                    | 192.0.2.1 | yes  | x@remote.test             | 250 x@remote.test
            """)
    void judgesEachRecipient(String what, String client, String auth, String path, String expected) throws Exception {
        int at = path.lastIndexOf('@');
        RcptTo rcpt = new RcptTo(new Mailbox(path.substring(0, at), path.substring(at + 1)), RcptParameters.NONE);

        ParseResult<RcptTo> verdict = POLICY.admit(rcpt, auth.equals("yes"), InetAddress.getByName(client));

        String actual =
                switch (verdict) {
                    case ParseResult.Parsed<RcptTo> p ->
                        "250 " + p.value().mailbox().address();
                    case ParseResult.Rejected<RcptTo> r ->
                        r.reply().code() + " " + r.reply().status();
                };
        assertThat(actual).as(what).isEqualTo(expected);
    }
}

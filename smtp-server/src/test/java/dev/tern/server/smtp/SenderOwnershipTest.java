package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SenderOwnershipTest {
    private final SenderOwnership ownership = new SenderOwnership(
            new LocalMailboxes(
                    List.of("example.org", "example.net"),
                    List.of(),
                    Map.of(
                            "info", "alice@example.org",
                            "sales@example.net", "ALICE@example.org",
                            "support@example.org", "bob@example.org",
                            "help@example.org", "info@example.org",
                            "carol@example.net", "carol@partner.test"),
                    "+",
                    "alice@example.net",
                    "mx.example.org"),
            List.of("example.org", "example.net"),
            Map.of(
                    "alice", List.of("alice@gmail.test", "@corp.test", "\"a b\"@example.com", "@Bücher.test"),
                    "carol@partner.test", List.of("carol@example.org")));

    @ParameterizedTest(name = "{0} as <{1}>: {2}")
    @CsvSource({
        "alice, alice@example.org, true", // her own address
        "alice, Alice@EXAMPLE.NET, true", // at every local domain, in any case
        "alice, alice@other.test, false", // not a local domain
        "alice, bob@example.org, false", // somebody else
        "alice, info@example.org, true", // an alias (bare local part) that points to her
        "alice, info@example.net, true", // the bare alias holds on every local domain
        "alice, info@other.test, false", // but not off-site
        "alice, sales@example.net, true", // an alias by full address
        "alice, sales@example.org, false", // that alias is only for its own domain
        "alice, support@example.org, false", // an alias of bob's
        "alice, help@example.org, true", // an alias of an alias of hers
        "alice, alice+lists@example.org, true", // her address with an extension
        "bob, alice+bob@example.org, false", // an extension does not change whose it is
        "alice, postmaster@example.org, true", // the postmaster is hers (local.postmaster)
        "alice, postmaster@example.net, true", // in every local domain
        "bob, postmaster@example.org, false", // not bob's
        "carol@partner.test, carol@example.net, true", // an alias pointing off-site to the user's address
        "bob, support@example.org, true", // ... which bob owns
        "alice, alice@gmail.test, true", // granted by auth.senders
        "alice, anyone@corp.test, true", // a whole domain granted
        "alice, anyone@sub.corp.test, false", // not its subdomains
        "alice, a b@example.com, true", // a granted address with a quoted local part (as parsed: unquoted)
        "alice, ab@example.com, false", // ... is that one only
        "alice, anyone@bücher.test, true", // a granted domain, in any case
        "ALICE, alice@example.org, true", // user names are case-insensitive
        "carol@partner.test, carol@partner.test, true", // a user named as an address owns that address
        "carol@partner.test, carol@example.org, true", // and what it is granted
        "carol@partner.test, carol+x@example.org, false", // a grant is that address, not its extensions
        "carol@partner.test, carol@example.com, false", // nor any other address by the same name
    })
    void decidesWhoOwnsAnAddress(String user, String address, boolean owned) {
        int at = address.lastIndexOf('@');
        ReversePath from = new ReversePath(new Mailbox(address.substring(0, at), address.substring(at + 1)));
        assertThat(ownership.owns(user, from)).isEqualTo(owned);
    }

    @org.junit.jupiter.api.Test
    void theNullSenderIsEveryUsers() {
        // Read receipts (RFC 8098 2.1) and automatic replies (RFC 3834 3.3) go with it; Postfix lets it by.
        assertThat(ownership.owns("alice", ReversePath.NULL)).isTrue();
        assertThat(ownership.owns("nobody-known", ReversePath.NULL)).isTrue();
    }
}

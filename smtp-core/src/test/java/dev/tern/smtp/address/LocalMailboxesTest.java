package dev.tern.smtp.address;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LocalMailboxesTest {
    /** Listed mailboxes, aliases of every kind, and + or - as the recipient delimiter. */
    private static final LocalMailboxes LISTED = new LocalMailboxes(
            List.of("Example.NET", "other.example"),
            List.of("Alice@example.net", "bob@example.net", "alice@other.example", "carol+work@example.net"),
            Map.of(
                    "Info", "alice",
                    "sales@other.example", "bob@example.net",
                    "away", "Someone@Remote.example",
                    "first", "second@example.net",
                    "second", "third",
                    "third", "alice@other.example",
                    "news", "bob+news@example.net",
                    "dave", "dave@example.net",
                    "helpdesk", "frank@example.net"),
            "+-",
            "",
            "tern.test");

    /** No mailboxes listed: every local part exists; postmaster goes to an alias; our name is local. */
    private static final LocalMailboxes ANYONE = new LocalMailboxes(
            List.of("example.net"),
            List.of(),
            Map.of("info", "alice", "root", "alice"),
            "+",
            "root@example.net",
            "example.net");

    /** Every postmaster goes off-site. */
    private static final LocalMailboxes POSTIE = new LocalMailboxes(
            List.of("example.net", "other.example"),
            List.of("alice@example.net"),
            Map.of(),
            "+",
            "Hostmaster@Elsewhere.test",
            "tern.test");

    private static final Map<String, LocalMailboxes> RULES =
            Map.of("listed", LISTED, "anyone", ANYONE, "postie", POSTIE);

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                     | rules  | address                     | destination
            a listed mailbox                           | listed | alice@example.net           | folder alice@example.net
            case does not matter                       | listed | ALICE@EXAMPLE.net           | folder alice@example.net
            listed for one domain only                 | listed | bob@other.example           | no such user
            not a local domain                         | listed | alice@example.com           | not local
            an unknown user                            | listed | eve@example.net             | no such user
            postmaster always exists                   | listed | PostMaster@example.net      | folder postmaster@example.net
            an extension reaches its mailbox           | listed | bob+news@example.net        | folder bob@example.net
            the other delimiter too                    | listed | bob-news@example.net        | folder bob@example.net
            the first delimiter splits                 | listed | bob+a-b@example.net         | folder bob@example.net
            an extension of nobody                     | listed | eve+x@example.net           | no such user
            a leading delimiter is no extension        | listed | +bob@example.net            | no such user
            a listed address with its extension wins   | listed | carol+work@example.net      | folder carol+work@example.net
            only that extension is listed              | listed | carol+home@example.net      | no such user
            postmaster with an extension               | listed | postmaster+x@example.net    | folder postmaster@example.net
            a bare alias, in every local domain        | listed | INFO@other.example          | rewrite alice@other.example
            an address alias, in its domain only       | listed | sales@other.example         | rewrite bob@example.net
            that alias in another domain               | listed | sales@example.net           | no such user
            an alias to elsewhere keeps its case       | listed | away@example.net            | rewrite Someone@Remote.example
            an alias with an extension                 | listed | away+x@example.net          | rewrite Someone@Remote.example
            a chain ends at its last target            | listed | first@example.net           | rewrite alice@other.example
            a chain may start in the middle            | listed | second@other.example        | rewrite alice@other.example
            an alias to an extension                   | listed | news@example.net            | rewrite bob+news@example.net
            an alias to itself is a mailbox            | listed | dave@example.net            | folder dave@example.net
            the end of a chain exists, though unlisted | listed | frank@example.net           | folder frank@example.net
            so do its extensions                       | listed | frank+x@example.net         | folder frank@example.net
            our own name's postmaster is the first's   | listed | postmaster@tern.test        | rewrite postmaster@example.net
            another domain's postmaster is not ours    | listed | postmaster@example.org      | not local
            # with no mailbox listed, every local part exists
            any local part exists                      | anyone | whoever@example.net         | folder whoever@example.net
            an extension goes to the part before it    | anyone | whoever+tag@example.net     | folder whoever@example.net
            aliases still apply                        | anyone | info+x@example.net          | rewrite alice@example.net
            other domains are not ours                 | anyone | whoever@example.org         | not local
            # a mailbox whose folder could not be made safely is refused, listed or not
            a path separator                           | anyone | a/b@example.net             | unusable name
            a backslash                                | anyone | a\\b@example.net            | unusable name
            the parent folder                          | anyone | ..@example.net              | unusable name
            a leading dot                              | anyone | .hidden@example.net         | unusable name
            a separator in the extension only          | anyone | whoever+a/b@example.net     | folder whoever@example.net
            a separator before the extension           | anyone | a/b+x@example.net           | unusable name
            a separator in an unlisted name            | listed | a/b@example.net             | no such user
            # local.postmaster set: every postmaster address goes there
            postmaster of the first domain             | postie | PostMaster@example.net      | rewrite Hostmaster@Elsewhere.test
            postmaster of another local domain         | postie | postmaster@other.example    | rewrite Hostmaster@Elsewhere.test
            postmaster at our own name                 | postie | postmaster@TERN.test        | rewrite Hostmaster@Elsewhere.test
            postmaster with an extension               | postie | postmaster+x@example.net    | rewrite Hostmaster@Elsewhere.test
            other users of our own name are not ours   | postie | alice@tern.test             | not local
            other users stay as they are               | postie | alice@example.net           | folder alice@example.net
            the postmaster address may be an alias     | anyone | postmaster@example.net      | rewrite alice@example.net
            """)
    void resolvesAddresses(String what, String rules, String address, String expected) {
        assertThat(describe(RULES.get(rules).resolve(mailbox(address))))
                .as(what)
                .isEqualTo(expected);
    }

    @Test
    void namesAFolderOnlyWithWhatIsSafeInOnePathSegment() {
        // Counted in UTF-8: é takes two bytes, a character outside the BMP four.
        assertThat(List.of("alice", "a.b", "o'brien", "δοκιμή", "x".repeat(255), "é".repeat(127), "😀".repeat(63)))
                .allMatch(LocalMailboxes::isFolderName);
        assertThat(List.of(
                        "",
                        ".",
                        "..",
                        ".x",
                        "a/b",
                        "a\\b",
                        "tab\there",
                        "del\u007f",
                        "x".repeat(256),
                        "é".repeat(128),
                        "x" + "😀".repeat(64)))
                .noneMatch(LocalMailboxes::isFolderName);
    }

    /**
     * RFC 1123 5.2.17: mail to one of our own address literals is ours, read in the first local domain (as
     * Postfix reads its interfaces' literals); with no local domain only its postmaster is; another host's
     * literal stays a relay question.
     */
    @Test
    void takesMailForItsOwnAddressLiteralsAsForItsFirstLocalDomain() {
        var own = Set.of("[192.0.2.1]", "[ipv6:2001:db8::1]");
        LocalMailboxes listed = new LocalMailboxes(
                List.of("example.net"),
                List.of("alice@example.net"),
                Map.of("info", "alice"),
                "+",
                "",
                "t.test",
                own::contains);
        LocalMailboxes relayOnly =
                new LocalMailboxes(List.of(), List.of(), Map.of(), "+", "root@elsewhere.test", "t.test", own::contains);

        assertThat(listed.resolve(mailbox("Alice+tag@[192.0.2.1]")))
                .isEqualTo(new LocalDestination.Rewrite(mailbox("alice+tag@example.net")));
        assertThat(listed.resolve(mailbox("info@[IPv6:2001:DB8::1]")))
                .isEqualTo(new LocalDestination.Rewrite(mailbox("alice@example.net")));
        assertThat(listed.resolve(mailbox("postmaster@[192.0.2.1]")))
                .isEqualTo(new LocalDestination.Rewrite(mailbox("postmaster@example.net")));
        assertThat(listed.resolve(mailbox("nobody@[192.0.2.1]"))).isEqualTo(LocalDestination.NO_SUCH_USER);
        assertThat(listed.resolve(mailbox("alice@[192.0.2.2]"))).isEqualTo(LocalDestination.NOT_LOCAL);
        assertThat(relayOnly.resolve(mailbox("postmaster@[192.0.2.1]")))
                .isEqualTo(new LocalDestination.Rewrite(mailbox("root@elsewhere.test")));
        assertThat(relayOnly.resolve(mailbox("alice@[192.0.2.1]"))).isEqualTo(LocalDestination.NO_SUCH_USER);
    }

    /** An alias naming an address at one of our own literals leads on here, as a recipient there does. */
    @Test
    void anAliasToItsOwnAddressLiteralLeadsToTheFirstLocalDomain() {
        var own = Set.of("[192.0.2.1]");
        LocalMailboxes aliases = new LocalMailboxes(
                List.of("example.net", "example.org"),
                List.of("alice@example.net"),
                Map.of("lit@example.org", "alice@[192.0.2.1]", "far", "bob@[192.0.2.2]"),
                "+",
                "",
                "t.test",
                own::contains);

        assertThat(aliases.resolve(mailbox("lit@example.org")))
                .isEqualTo(new LocalDestination.Rewrite(mailbox("alice@example.net")));
        assertThat(aliases.resolve(mailbox("far@example.net")))
                .as("another host's literal is where the alias sends it")
                .isEqualTo(new LocalDestination.Rewrite(mailbox("bob@[192.0.2.2]")));
        assertThatThrownBy(() -> new LocalMailboxes(
                        List.of("example.net"),
                        List.of(),
                        Map.of("a", "b@[192.0.2.1]", "b", "a@example.net"),
                        "",
                        "",
                        "t.test",
                        own::contains))
                .as("a loop through the literal is a loop")
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("aliases loop");
    }

    @Test
    void refusesALocalDomainThatCannotNameAFolder() {
        assertThatThrownBy(
                        () -> new LocalMailboxes(List.of("example.net", ".."), List.of(), Map.of(), "", "", "t.test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot name a mail folder: ..");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | aliases                                       | message
            two aliases name each other              | a=b,b=a@example.net                           | aliases loop:
            a loop through an extension              | a=b+x,b=a                                     | aliases loop
            eleven in a row                          | a=b,b=c,c=d,d=e,e=f,f=g,g=h,h=i,i=j,j=k,k=l   | more than 10 aliases in a row
            a target without a domain part           | a=b@                                          | not an address: b@
            """)
    void refusesAliasesThatCannotEnd(String what, String aliases, String message) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : aliases.split(",")) {
            map.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        assertThatThrownBy(() -> new LocalMailboxes(List.of("example.net"), List.of(), map, "+", "", "tern.test"))
                .as(what)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void readsABarePostmasterInTheFirstLocalDomainElseInOurName() {
        assertThat(LISTED.postmasterDomain()).isEqualTo("example.net");
        assertThat(new LocalMailboxes(List.of(), List.of(), Map.of(), "", "root@elsewhere.test", "Tern.Test")
                        .postmasterDomain())
                .isEqualTo("tern.test");
    }

    @Test
    void needsSomewhereForPostmastersMail() {
        assertThatThrownBy(() -> new LocalMailboxes(List.of(), List.of(), Map.of(), "", "", "tern.test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("postmaster");
        assertThat(new LocalMailboxes(List.of(), List.of(), Map.of(), "", "root@elsewhere.test", "tern.test")
                        .resolve(new Mailbox("Postmaster", "tern.test")))
                .isEqualTo(new LocalDestination.Rewrite(new Mailbox("root", "elsewhere.test")));
    }

    @Test
    void rewritesOnlyAliasesKeepingTheAddressGivenInOrcpt() {
        RcptTo alias = new RcptTo(mailbox("Away+x@example.net"), RcptParameters.NONE);
        RcptTo mailbox = new RcptTo(mailbox("bob+x@example.net"), RcptParameters.NONE);

        assertThat(LISTED.rewrite(alias))
                .isEqualTo(new RcptTo(
                        mailbox("Someone@Remote.example"),
                        new RcptParameters(Set.of(), "rfc822;Away+2Bx@example.net")));
        assertThat(LISTED.rewrite(mailbox)).isSameAs(mailbox);
    }

    private static Mailbox mailbox(String address) {
        int at = address.lastIndexOf('@');
        return new Mailbox(address.substring(0, at), address.substring(at + 1));
    }

    private static String describe(LocalDestination destination) {
        return switch (destination) {
            case LocalDestination.Folder f -> "folder " + f.mailbox().address();
            case LocalDestination.Rewrite r -> "rewrite " + r.target().address();
            case LocalDestination.NoSuchUser n -> "no such user";
            case LocalDestination.UnusableName u -> "unusable name";
            case LocalDestination.NotLocal n -> "not local";
        };
    }
}

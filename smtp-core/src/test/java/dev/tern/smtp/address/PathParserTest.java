package dev.tern.smtp.address;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.address.PathParser.ParsedPath;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathParserTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            user@example.com      | true | plain
            "a b"@example.com     | true | quoted local part
            user@[192.0.2.1]      | true | address literal
            user@example.com>     | false | trailing text
            <user@example.com>    | false | brackets belong to paths, not mailboxes
            user                  | false | no domain
            user@                 | false | empty domain
            @example.com          | false | no local part
            """)
    void parsesBareMailboxes(String address, boolean valid, String why) {
        Optional<Mailbox> mailbox = PathParser.parseMailbox(address);
        assertThat(mailbox.isPresent()).as(why).isEqualTo(valid);
        mailbox.ifPresent(m -> assertThat(m.address()).isEqualTo(address));
    }

    @Test
    void takesALocalPartLongerThanSixtyFourOctetsAsPostfixDoes() {
        // A VERP sender: the recipient's whole address in the local part.
        String local = "bounces+1234567-abcd-" + "a".repeat(60) + "=customer.example.org";
        assertThat(local.length()).isGreaterThan(64);
        ParseResult<ParsedPath> sender = PathParser.parseReversePath("FROM:<" + local + "@em.example.com>", 5);
        assertThat(sender).isInstanceOf(ParseResult.Parsed.class);
        ParseResult<ParsedPath> recipient =
                PathParser.parseForwardPath("TO:<" + local + "@example.com>", 3, "example.com");
        assertThat(recipient).isInstanceOf(ParseResult.Parsed.class);
    }

    @Test
    void refusesAPathOverTwoHundredFiftySixOctets() {
        String within = "<" + "a".repeat(254 - "@example.com".length()) + "@example.com>";
        assertThat(within).hasSize(256);
        assertThat(PathParser.parseReversePath(within, 0)).isInstanceOf(ParseResult.Parsed.class);

        String over = "<a" + within.substring(1);
        assertThat(PathParser.parseReversePath(over, 0))
                .isEqualTo(ParseResult.rejected(SmtpReplies.BAD_SENDER_SYNTAX.withText(
                        SmtpReplies.BAD_SENDER_SYNTAX.text() + ": path too long")));
        assertThat(PathParser.parseForwardPath(over, 0, null))
                .isEqualTo(ParseResult.rejected(SmtpReplies.BAD_ADDRESS_SYNTAX.withText(
                        SmtpReplies.BAD_ADDRESS_SYNTAX.text() + ": path too long")));
    }

    @Test
    void reportsWherePathEnds() {
        String argument = "FROM:<a@example.com> SIZE=1";
        ParseResult<ParsedPath> result = PathParser.parseReversePath(argument, 5);
        assertThat(result).isEqualTo(ParseResult.parsed(new ParsedPath(new Mailbox("a", "example.com"), 20)));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            192.0.2.1                   | true | IPv4
            255.255.255.255             | true | IPv4 maximum
            01.2.3.4                    | true | Snum allows leading zeros
            256.0.0.1                   | false | octet too large
            1.2.3                       | false | three octets
            1.2.3.                      | false | empty octet
            IPv6:::                     | true | unspecified address
            IPv6:1::                    | true | compression at the end
            IPv6:1:2:3:4:5:6::          | true | six groups and ::
            IPv6:1:2:3:4:5:6:7::        | false | seven groups and ::
            IPv6:::1.2.3.4              | true | compressed IPv4-mapped
            IPv6:1:2:3:4:5:6:1.2.3.4    | true | full IPv6v4
            IPv6:1:2:3:4:5:1.2.3.4      | false | IPv6v4 one group short
            IPv6:1:2:3:4:5:6:7:1.2.3.4  | false | IPv6v4 one group long
            IPv6:1:2:3:4::1.2.3.4       | true | compressed IPv6v4 with four groups
            IPv6:1:2:3:4:5::1.2.3.4     | false | compressed IPv6v4 with five groups
            IPv6:1:::2                  | false | triple colon
            IPv6:                       | false | empty
            IPv6:１::1                  | false | full-width digit
            """)
    void checksAddressLiterals(String literal, boolean valid, String why) {
        assertThat(AddressLiteral.isValid(literal)).as(why).isEqualTo(valid);
    }
}

package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.address.Mailbox;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SmtpArgumentsTest {
    private static final String LOCAL = "local.test";

    static Stream<Arguments> validMail() {
        return Stream.of(
                row("FROM:<user@example.com>", "user | example.com"), // plain mailbox
                row("from:<user@example.com>", "user | example.com"), // FROM: is case-insensitive
                row("FrOm:<user@example.com>", "user | example.com"), // mixed case prefix
                row("FROM: <user@example.com>", "user | example.com"), // one space after the colon is tolerated
                row("FROM:<>", "<>"), // null reverse-path
                row("FROM: <>", "<>"), // null reverse-path after a space
                row("FROM:<> SIZE=10", "<>"), // null reverse-path with a parameter
                row(
                        "FROM:<@a.example,@b.example:user@d.example>",
                        "user | d.example"), // source route accepted and ignored
                row("FROM:<@a.example:user@d.example>", "user | d.example"), // one-hop source route
                row("FROM:<\"john doe\"@example.com>", "john doe | example.com"), // quoted local part with a space
                row("FROM:<\"a\\\"b\"@example.com>", "a\"b | example.com"), // quoted-pair inside a quoted local part
                row("FROM:<\"a\\\\b\"@example.com>", "a\\b | example.com"), // escaped backslash
                row(
                        "FROM:<\"user@other.example\"@local.test>",
                        "user@other.example | local.test"), // quoted @ stays in the local part
                row(
                        "FROM:<user%other.example@example.com>",
                        "user%other.example | example.com"), // percent hack is only a local part
                row(
                        "FROM:<other.example!user@example.com>",
                        "other.example!user | example.com"), // bang path is only a local part
                row("FROM:<first.last+tag@sub.example.co.uk>", "first.last+tag | sub.example.co.uk"), // dots and plus
                row(
                        "FROM:<#!$%&'*+-/=?^_`{|}~@example.com>",
                        "#!$%&'*+-/=?^_`{|}~ | example.com"), // every atext special
                row("FROM:<user@Example.COM>", "user | Example.COM"), // domain case preserved
                row("FROM:<user@localhost>", "user | localhost"), // single-label domain
                row("FROM:<user@123.example>", "user | 123.example"), // label starting with a digit
                row("FROM:<user@x-y.example>", "user | x-y.example"), // hyphen inside a label
                row("FROM:<user@[192.0.2.1]>", "user | [192.0.2.1]"), // IPv4 address literal
                row("FROM:<user@[0.0.0.0]>", "user | [0.0.0.0]"), // IPv4 all zeros
                row("FROM:<user@[IPv6:2001:db8::1]>", "user | [IPv6:2001:db8::1]"), // compressed IPv6 literal
                row("FROM:<user@[ipv6:::1]>", "user | [ipv6:::1]"), // IPv6 tag is case-insensitive
                row("FROM:<user@[IPv6:1:2:3:4:5:6:7:8]>", "user | [IPv6:1:2:3:4:5:6:7:8]"), // full IPv6 literal
                row("FROM:<user@[IPv6:::ffff:192.0.2.1]>", "user | [IPv6:::ffff:192.0.2.1]"), // IPv6 with embedded IPv4
                row(
                        "FROM:<user@[IPv6:1:2:3:4:5:6:192.0.2.1]>",
                        "user | [IPv6:1:2:3:4:5:6:192.0.2.1]"), // full IPv6v4 literal
                row(
                        "FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | example.com"), // 64 octets
                row(
                        "FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | example.com"), // a longer
                // local
                // part, as
                // Postfix
                // takes
                row(
                        "FROM:<ééééééééééééééééééééééééééééééééé@example.com> SMTPUTF8",
                        "ééééééééééééééééééééééééééééééééé | example.com"), // 66-octet UTF-8 local part
                row(
                        "FROM:<user@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example>",
                        "user | bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example"), // 63-character label is the limit
                row(
                        "FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee>",
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"), // 256-octet path is the limit
                row("FROM:<用户@例子.测试> SMTPUTF8", "用户 | 例子.测试"), // UTF-8 address with SMTPUTF8
                row(
                        "FROM:<\"ü ö\"@example.com> SMTPUTF8",
                        "ü ö | example.com"), // UTF-8 in a quoted local part with SMTPUTF8
                row("FROM:<user@bücher.example> smtputf8", "user | bücher.example"), // U-label with lower-case smtputf8
                row("FROM:user@example.com", "user | example.com"), // no angle brackets, as Postfix takes it
                row("FROM:  <user@example.com>", "user | example.com"), // two spaces after the colon
                row(" FROM:<user@example.com>", "user | example.com"), // "MAIL  FROM:", two spaces after the verb
                row("FROM: user@example.com SIZE=100", "user | example.com") // and its parameters after it
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void validMail(String argument, String expected) {
        assertThat(describeMail(SmtpArguments.parseMail(argument))).isEqualTo(expected);
    }

    static Stream<Arguments> rejectedMail() {
        return Stream.of(
                row("", "501 5.5.4"), // empty argument
                row("TO:<user@example.com>", "501 5.5.4"), // wrong prefix
                row("FROM<user@example.com>", "501 5.5.4"), // missing colon
                row("FROM:", "501 5.1.7"), // missing path
                row("FROM:@relay.example:user@example.com", "501 5.1.7"), // a source route needs its brackets
                row("FROM:user@example.com>", "501 5.1.7"), // a closing bracket alone
                row("FROM:<user>", "501 5.1.7"), // no domain
                row("FROM:<user@>", "501 5.1.7"), // empty domain
                row("FROM:<@example.com>", "501 5.1.7"), // no local part
                row("FROM:<user@example.com", "501 5.1.7"), // missing closing bracket
                row("FROM:<user@example.com>x", "501 5.1.7"), // garbage after the path
                row("FROM:<user@example.com>>", "501 5.1.7"), // doubled closing bracket
                row("FROM:<<>>", "501 5.1.7"), // nested brackets
                row("FROM:<user@other.example@example.com>", "501 5.1.7"), // two unquoted @
                row("FROM:<.user@example.com>", "501 5.1.7"), // leading dot in local part
                row("FROM:<user.@example.com>", "501 5.1.7"), // trailing dot in local part
                row("FROM:<us..er@example.com>", "501 5.1.7"), // consecutive dots in local part
                row("FROM:<us er@example.com>", "501 5.1.7"), // space in unquoted local part
                row("FROM:<us(er)@example.com>", "501 5.1.7"), // comment characters in local part
                row("FROM:<\"\"@example.com>", "501 5.1.7"), // empty quoted local part
                row("FROM:<\"unterminated@example.com>", "501 5.1.7"), // unterminated quoted string
                row("FROM:<\"a\tb\"@example.com>", "501 5.1.7"), // tab inside a quoted string
                row("FROM:<\"a\\\u0001\"@example.com>", "501 5.1.7"), // quoted-pair of a control character
                row("FROM:<user@exa_mple.com>", "501 5.1.7"), // underscore in domain
                row("FROM:<user@-example.com>", "501 5.1.7"), // label starts with hyphen
                row("FROM:<user@example-.com>", "501 5.1.7"), // label ends with hyphen
                row("FROM:<user@example..com>", "501 5.1.7"), // empty label
                row("FROM:<user@example.com.>", "501 5.1.7"), // trailing dot in domain
                row("FROM:<user@.example.com>", "501 5.1.7"), // leading dot in domain
                row("FROM:<user@[192.0.2.256]>", "501 5.1.7"), // IPv4 octet above 255
                row("FROM:<user@[192.0.2]>", "501 5.1.7"), // IPv4 with three octets
                row("FROM:<user@[192.0.2.1.5]>", "501 5.1.7"), // IPv4 with five octets
                row("FROM:<user@[1234.0.2.1]>", "501 5.1.7"), // IPv4 octet with four digits
                row("FROM:<user@[192.0.2.1>", "501 5.1.7"), // unclosed address literal
                row("FROM:<user@[IPv6:1::2::3]>", "501 5.1.7"), // two :: in IPv6
                row("FROM:<user@[IPv6:1:2:3:4:5:6:7]>", "501 5.1.7"), // seven groups without ::
                row("FROM:<user@[IPv6:1:2:3:4:5:6:7:8:9]>", "501 5.1.7"), // nine groups
                row("FROM:<user@[IPv6:1:2:3:4::5:6:7]>", "501 5.1.7"), // seven groups around :: (six allowed)
                row("FROM:<user@[IPv6:12345::1]>", "501 5.1.7"), // group of five hex digits
                row("FROM:<user@[IPv6:g::1]>", "501 5.1.7"), // non-hex group
                row("FROM:<user@[IPv6:192.0.2.1::1]>", "501 5.1.7"), // IPv4 before ::
                row("FROM:<user@[2001:db8::1]>", "501 5.1.7"), // IPv6 without its tag
                row("FROM:<user@[example.com]>", "501 5.1.7"), // name in brackets
                row("FROM:<user@[x-tag:foo]>", "501 5.1.7"), // general address literal is refused
                row("FROM:<@a.example,user@b.example>", "501 5.1.7"), // source route without colon
                row("FROM:<@:user@b.example>", "501 5.1.7"), // source route with empty domain
                row(
                        "FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>",
                        "501 5.1.7"), // a path of 257 octets
                row(
                        "FROM:<user@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example>",
                        "501 5.1.7"), // 64-character label
                row(
                        "FROM:<user@fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff.ab>",
                        "501 5.1.7"), // domain over 255 octets
                row(
                        "FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc.ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee>",
                        "501 5.1.7"), // path over 256 octets
                row("FROM:<ü@example.com>", "553 5.6.7"), // UTF-8 local part without SMTPUTF8
                row("FROM:<user@bücher.example>", "553 5.6.7"), // U-label without SMTPUTF8
                row("FROM:<\"ü\"@example.com>", "553 5.6.7"), // UTF-8 quoted local part without SMTPUTF8
                row("FROM:<ü@example.com> SIZE=10", "553 5.6.7"), // SMTPUTF8 is needed on the same command
                row("FROM:<\ud800@example.com> SMTPUTF8", "501 5.1.7"), // lone surrogate
                row("FROM:<a\u0085b@example.com> SMTPUTF8", "501 5.1.7"), // C1 control character
                row("FROM:<user@exa mple.com>", "501 5.1.7"), // space in domain
                row("FROM:<user@example.com> SIZE=abc", "501 5.5.4") // bad parameter after a good path
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void rejectedMail(String argument, String expected) {
        ParseResult<MailFrom> result = SmtpArguments.parseMail(argument);
        assertThat(result).isInstanceOf(ParseResult.Rejected.class);
        assertThat(describeMail(result)).isEqualTo(expected);
    }

    static Stream<Arguments> mailParameters() {
        return Stream.of(
                row("", "-1 SEVEN_BIT false null null null"), // no parameters
                row("SIZE=0", "0 SEVEN_BIT false null null null"), // SIZE zero
                row("SIZE=12345", "12345 SEVEN_BIT false null null null"), // SIZE
                row("size=12345", "12345 SEVEN_BIT false null null null"), // keyword is case-insensitive
                row("SIZE=00042", "42 SEVEN_BIT false null null null"), // leading zeros
                row(
                        "SIZE=99999999999999999999",
                        "9223372036854775807 SEVEN_BIT false null null null"), // 20 digits saturate
                row("SIZE=123456789012345678901", "501 5.5.4 Bad SIZE value"), // 21 digits
                row("SIZE=", "501 5.5.4 Bad SIZE value"), // empty SIZE
                row("SIZE", "501 5.5.4 Bad SIZE value"), // SIZE without value
                row("SIZE=-1", "501 5.5.4 Bad SIZE value"), // negative SIZE
                row("SIZE=1e6", "501 5.5.4 Bad SIZE value"), // SIZE in exponent notation
                row("SIZE==1", "501 5.5.4 Bad SIZE value"), // equals sign inside a value
                row("BODY=7BIT", "-1 SEVEN_BIT false null null null"), // BODY=7BIT
                row("BODY=8BITMIME", "-1 EIGHT_BIT_MIME false null null null"), // BODY=8BITMIME
                row("body=8bitmime", "-1 EIGHT_BIT_MIME false null null null"), // BODY value is case-insensitive
                row("BODY=BINARYMIME", "-1 BINARY_MIME false null null null"), // BODY=BINARYMIME
                row("BODY=9BIT", "501 5.5.4 Bad BODY value"), // unknown BODY
                row("BODY", "501 5.5.4 Bad BODY value"), // BODY without value
                row("SMTPUTF8", "-1 SEVEN_BIT true null null null"), // SMTPUTF8
                row("SMTPUTF8=yes", "501 5.5.4 Bad SMTPUTF8 value"), // SMTPUTF8 takes no value
                row("RET=FULL", "-1 SEVEN_BIT false FULL null null"), // RET=FULL
                row("RET=hdrs", "-1 SEVEN_BIT false HDRS null null"), // RET value is case-insensitive
                row("RET=NONE", "501 5.5.4 Bad RET value"), // unknown RET
                row("ENVID=QQ314159", "-1 SEVEN_BIT false null QQ314159 null"), // ENVID
                row("ENVID=abc+2Bdef", "-1 SEVEN_BIT false null abc+2Bdef null"), // ENVID kept as raw xtext
                row("ENVID=abc+2bdef", "501 5.5.4 Bad ENVID value"), // xtext hex must be upper case
                row("ENVID=abc+2", "501 5.5.4 Bad ENVID value"), // truncated hexchar
                row("ENVID=abc+", "501 5.5.4 Bad ENVID value"), // lone plus
                row(
                        "ENVID=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                        "-1 SEVEN_BIT false null xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx null"), // 100-character ENVID
                row(
                        "ENVID=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                        "501 5.5.4 Bad ENVID value"), // 101-character ENVID
                row("ENVID=é", "501 5.5.4 Bad ENVID value"), // non-ASCII ENVID
                row("ENVID=a+20b", "-1 SEVEN_BIT false null a+20b null"), // encoded space is printable
                row("ENVID=a+00b", "501 5.5.4 Bad ENVID value"), // encoded NUL (RFC 3461 4.4: printable only)
                row("ENVID=a+0D+0Ab", "501 5.5.4 Bad ENVID value"), // encoded CRLF, header injection in a DSN
                row("ENVID=a+0Ab", "501 5.5.4 Bad ENVID value"), // encoded bare LF
                row("ENVID=a+09b", "501 5.5.4 Bad ENVID value"), // encoded TAB, a control character too
                row("ENVID=a+1Fb", "501 5.5.4 Bad ENVID value"), // last C0 control
                row("ENVID=a+7Fb", "501 5.5.4 Bad ENVID value"), // encoded DEL
                row("ENVID=a+C2+85b", "501 5.5.4 Bad ENVID value"), // C1 control NEL in UTF-8
                row("ENVID=a+FFb", "501 5.5.4 Bad ENVID value"), // not UTF-8 at all
                row("AUTH=<>", "-1 SEVEN_BIT false null null null"), // AUTH=<> carries no identity
                row("AUTH=user+40example.com", "-1 SEVEN_BIT false null null user@example.com"), // AUTH decoded
                row("AUTH=e+3Dmc2", "-1 SEVEN_BIT false null null e=mc2"), // AUTH with an encoded equals sign
                row("AUTH=a+0D+0Ab", "501 5.5.4 Bad AUTH value"), // AUTH hiding CRLF
                row("AUTH=+", "501 5.5.4 Bad AUTH value"), // malformed AUTH
                row("AUTH", "501 5.5.4 Bad AUTH value"), // AUTH without value
                row("REQUIRETLS", "-1 SEVEN_BIT false null null null REQUIRETLS"), // RFC 8689 4
                row("requiretls SIZE=5", "5 SEVEN_BIT false null null null REQUIRETLS"), // any case, any order
                row("REQUIRETLS=yes", "501 5.5.4 Bad REQUIRETLS value"), // REQUIRETLS takes no value
                row("REQUIRETLS REQUIRETLS", "501 5.5.4 Duplicate REQUIRETLS parameter"), // duplicate flag
                row("SIZE=1 SIZE=2", "501 5.5.4 Duplicate SIZE parameter"), // duplicate parameter
                row("SIZE=1 size=2", "501 5.5.4 Duplicate SIZE parameter"), // duplicate in another case
                row("SMTPUTF8 SMTPUTF8", "501 5.5.4 Duplicate SMTPUTF8 parameter"), // duplicate flag
                row(
                        "SIZE=1  BODY=8BITMIME",
                        "1 EIGHT_BIT_MIME false null null null"), // two spaces between parameters tolerated
                row("SIZE=1 ", "1 SEVEN_BIT false null null null"), // trailing space tolerated
                row("FOO=bar", "555 5.5.4 Unsupported MAIL or RCPT parameter"), // unknown parameter
                row("X-FOO", "555 5.5.4 Unsupported MAIL or RCPT parameter"), // unknown flag
                row("NOTIFY=NEVER", "555 5.5.4 Unsupported MAIL or RCPT parameter"), // RCPT parameter on MAIL
                row("=x", "501 5.5.4 Bad parameter syntax"), // empty keyword
                row("-X", "501 5.5.4 Bad parameter syntax"), // keyword starting with hyphen
                row("X_Y", "501 5.5.4 Bad parameter syntax"), // underscore in keyword
                row("SIZE=1\u0001", "501 5.5.4 Bad SIZE value"), // control character in a value
                row(
                        "SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id1 AUTH=<>",
                        "100 EIGHT_BIT_MIME true HDRS id1 null") // all at once
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void mailParameters(String parameters, String expected) {
        ParseResult<MailFrom> result = SmtpArguments.parseMail("FROM:<user@example.com> " + parameters);
        String described =
                switch (result) {
                    case ParseResult.Parsed<MailFrom>(MailFrom mail) -> describe(mail.parameters());
                    case ParseResult.Rejected<MailFrom>(SmtpReply reply) -> full(reply);
                };
        assertThat(described).isEqualTo(expected);
    }

    static Stream<Arguments> rcpt() {
        return Stream.of(
                row("TO:<user@example.com>", false, "user | example.com"), // plain mailbox
                row("to:<user@example.com>", false, "user | example.com"), // TO: is case-insensitive
                row("TO: <user@example.com>", false, "user | example.com"), // one space after the colon
                row("TO:<Postmaster>", false, "Postmaster | local.test"), // bare Postmaster goes to the local domain
                row("TO:<postmaster>", false, "postmaster | local.test"), // bare postmaster in lower case
                row("TO:<POSTMASTER>", false, "POSTMASTER | local.test"), // bare POSTMASTER in upper case
                row(
                        "TO:<postmaster@other.example>",
                        false,
                        "postmaster | other.example"), // postmaster with a domain is a mailbox
                row("TO:<\"postmaster\">", false, "501 5.1.3"), // quoted bare postmaster is not the special case
                row("TO:<@relay.example:postmaster>", false, "501 5.1.3"), // routed bare postmaster
                row("TO:<webmaster>", false, "501 5.1.3"), // other bare local parts are refused
                row("TO:<@relay.example:user@example.com>", false, "user | example.com"), // source route ignored
                row(
                        "TO:<\"user@other.example\"@local.test>",
                        false,
                        "user@other.example | local.test"), // quoted @ stays local
                row(
                        "TO:<user%other.example@local.test>",
                        false, "user%other.example | local.test"), // percent hack stays local
                row(
                        "TO:<other.example!user@local.test>",
                        false,
                        "other.example!user | local.test"), // bang path stays local
                row("TO:<user@other.example@local.test>", false, "501 5.1.3"), // two unquoted @ refused
                row("TO:<>", false, "501 5.1.3"), // null path is not a recipient
                row("TO:<user>", false, "501 5.1.3"), // no domain
                row("TO:user@example.com", false, "user | example.com"), // no angle brackets, as Postfix takes it
                row("TO:postmaster", false, "501 5.1.3"), // but the bare postmaster only in brackets
                row("TO:user%other.example@local.test", false, "user%other.example | local.test"), // still local
                row("TO:<user@example.com> x", false, "555 5.5.4"), // unknown flag parameter
                row("TO:<user@example.com>x", false, "501 5.1.3"), // garbage after the path
                row("FROM:<user@example.com>", false, "501 5.5.4"), // wrong prefix
                row("TO:<user@[192.0.2.1]>", false, "user | [192.0.2.1]"), // address literal
                row("TO:<ü@example.com>", false, "553 5.6.7"), // UTF-8 without SMTPUTF8 in the transaction
                row("TO:<ü@example.com>", true, "ü | example.com"), // UTF-8 with SMTPUTF8 in the transaction
                row("TO:<user@例子.测试>", true, "user | 例子.测试"), // U-labels with SMTPUTF8
                row("TO:<user@例子.测试>", false, "553 5.6.7"), // U-labels without SMTPUTF8
                row(
                        "TO:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>",
                        false,
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | example.com"), // a local
                // part over
                // 64
                // octets,
                // as
                // Postfix
                // takes
                row(
                        "TO:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com>",
                        false,
                        "501 5.1.3") // a path of 257 octets
                );
    }

    @ParameterizedTest(name = "{0} smtputf8={1}")
    @MethodSource
    void rcpt(String argument, boolean smtpUtf8, String expected) {
        ParseResult<RcptTo> result = SmtpArguments.parseRcpt(argument, smtpUtf8, LOCAL);
        String described =
                switch (result) {
                    case ParseResult.Parsed<RcptTo>(RcptTo rcpt) -> describe(rcpt.mailbox());
                    case ParseResult.Rejected<RcptTo>(SmtpReply reply) -> reply.code() + " " + reply.status();
                };
        assertThat(described).isEqualTo(expected);
    }

    static Stream<Arguments> rcptParameters() {
        return Stream.of(
                row("", "[] null"), // no parameters
                row("NOTIFY=NEVER", "[NEVER] null"), // NOTIFY=NEVER
                row("NOTIFY=SUCCESS,FAILURE,DELAY", "[DELAY, FAILURE, SUCCESS] null"), // all three conditions
                row("notify=success", "[SUCCESS] null"), // case-insensitive keyword and value
                row("NOTIFY=FAILURE,FAILURE", "[FAILURE] null"), // repeated condition
                row("NOTIFY=NEVER,SUCCESS", "501 5.5.4 Bad NOTIFY value"), // NEVER combined
                row("NOTIFY=SUCCESS,NEVER", "501 5.5.4 Bad NOTIFY value"), // NEVER combined at the end
                row("NOTIFY=NEVER,NEVER", "501 5.5.4 Bad NOTIFY value"), // NEVER must stand alone
                row("NOTIFY=", "501 5.5.4 Bad NOTIFY value"), // empty NOTIFY
                row("NOTIFY", "501 5.5.4 Bad NOTIFY value"), // NOTIFY without value
                row("NOTIFY=SUCCESS,", "501 5.5.4 Bad NOTIFY value"), // trailing comma
                row("NOTIFY=SOMETIMES", "501 5.5.4 Bad NOTIFY value"), // unknown condition
                row("ORCPT=rfc822;user+40example.com", "[] rfc822;user+40example.com"), // ORCPT kept raw
                row("ORCPT=utf-8;user+40example.com", "[] utf-8;user+40example.com"), // utf-8 address type
                row("ORCPT=rfc822;", "501 5.5.4 Bad ORCPT value"), // empty address
                row("ORCPT=;user@example.com", "501 5.5.4 Bad ORCPT value"), // empty address type
                row("ORCPT=rfc822user", "501 5.5.4 Bad ORCPT value"), // no semicolon
                row("ORCPT=rfc822;a+2", "501 5.5.4 Bad ORCPT value"), // bad xtext
                row("ORCPT=rfc822;a+20b@x", "[] rfc822;a+20b@x"), // encoded space is printable
                row("ORCPT=rfc822;a+0Ab@x", "501 5.5.4 Bad ORCPT value"), // encoded bare LF
                row("ORCPT=rfc822;a+0D+0Ab@x", "501 5.5.4 Bad ORCPT value"), // encoded CRLF
                row("ORCPT=rfc822;a+00b@x", "501 5.5.4 Bad ORCPT value"), // encoded NUL
                // RFC 6533 3: the utf-8 type's escapes name code points, which must be printable too
                row("ORCPT=utf-8;\\x{E4}rger@x", "[] utf-8;\\x{E4}rger@x"), // a letter
                row("ORCPT=UTF-8;a\\x{1F600}b@x", "[] UTF-8;a\\x{1F600}b@x"), // past the BMP, any case of the type
                row("ORCPT=utf-8;a\\x{D}\\x{A}X-Injected:\\x{20}yes@x", "501 5.5.4 Bad ORCPT value"), // CR LF
                row("ORCPT=utf-8;a\\x{0}b@x", "501 5.5.4 Bad ORCPT value"), // NUL
                row("ORCPT=utf-8;a\\x{85}b@x", "501 5.5.4 Bad ORCPT value"), // C1 next line
                row("ORCPT=utf-8;a\\x{D800}b@x", "501 5.5.4 Bad ORCPT value"), // a surrogate
                row("ORCPT=utf-8;a\\x{110000}b@x", "501 5.5.4 Bad ORCPT value"), // past Unicode
                row("ORCPT=utf-8;a\\x{1234567}b@x", "501 5.5.4 Bad ORCPT value"), // seven digits
                row("ORCPT=utf-8;a\\x{}b@x", "501 5.5.4 Bad ORCPT value"), // no digit
                row("ORCPT=utf-8;a\\x{G}b@x", "501 5.5.4 Bad ORCPT value"), // not hex
                row("ORCPT=utf-8;a\\b@x", "501 5.5.4 Bad ORCPT value"), // a backslash that starts no escape
                row("ORCPT=rfc822;a\\x{D}b@x", "[] rfc822;a\\x{D}b@x"), // no escapes in the rfc822 type: text
                row("ORCPT=rfc822;a+7Fb@x", "501 5.5.4 Bad ORCPT value"), // encoded DEL
                row("ORCPT=utf-8;a+1Bb@x", "501 5.5.4 Bad ORCPT value"), // encoded ESC, any address type
                row("ORCPT=rf(c;a", "501 5.5.4 Bad ORCPT value"), // address type is not an atom
                row(
                        "ORCPT=rfc822;yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
                        "501 5.5.4 Bad ORCPT value"), // over 500 characters
                row("NOTIFY=DELAY ORCPT=rfc822;a@b", "[DELAY] rfc822;a@b"), // both parameters
                row("NOTIFY=NEVER NOTIFY=NEVER", "501 5.5.4 Duplicate NOTIFY parameter"), // duplicate
                row("SIZE=100", "555 5.5.4 Unsupported MAIL or RCPT parameter"), // MAIL parameter on RCPT
                row("FOO", "555 5.5.4 Unsupported MAIL or RCPT parameter") // unknown parameter
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void rcptParameters(String parameters, String expected) {
        assertThat(describeRcptParameters(parameters, false)).isEqualTo(expected);
    }

    /** The parameters RCPT with {@code parameters} is taken with, or the reply that refuses it. */
    private static String describeRcptParameters(String parameters, boolean smtpUtf8) {
        return switch (SmtpArguments.parseRcpt("TO:<user@example.com> " + parameters, smtpUtf8, LOCAL)) {
            case ParseResult.Parsed<RcptTo>(RcptTo rcpt) -> describe(rcpt.parameters());
            case ParseResult.Rejected<RcptTo>(SmtpReply reply) -> full(reply);
        };
    }

    /** RFC 6533 3: in a transaction with SMTPUTF8 a utf-8 ORCPT may carry its address in UTF-8 (utf-8-addr-unitext). */
    static Stream<Arguments> utf8OrcptInASmtpUtf8Transaction() {
        return Stream.of(
                row(
                        "ORCPT=utf-8;j\u00f6rg@example.test",
                        "[] utf-8;j\\x{F6}rg@example.test"), // kept as utf-8-addr-xtext
                row(
                        "ORCPT=UTF-8;\u7528\u6237@\u4f8b\u5b50.test",
                        "[] UTF-8;\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.test"),
                row("ORCPT=utf-8;a\ud83d\ude00b@x", "[] utf-8;a\\x{1F600}b@x"), // past the BMP
                row("ORCPT=utf-8;j\\x{F6}rg@x", "[] utf-8;j\\x{F6}rg@x"), // the escaped form as before
                row("ORCPT=utf-8;a\u0085b@x", "501 5.5.4 Bad ORCPT value"), // a C1 control (next line)
                row("ORCPT=utf-8;\u00e4+0Ab@x", "501 5.5.4 Bad ORCPT value"), // an encoded LF beside UTF-8
                row("ORCPT=rfc822;j\u00f6rg@x", "501 5.5.4 Bad ORCPT value") // UTF-8 only in the utf-8 type
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void utf8OrcptInASmtpUtf8Transaction(String parameters, String expected) {
        assertThat(describeRcptParameters(parameters, true)).isEqualTo(expected);
        if (parameters.chars().anyMatch(c -> c > 0x7f)) {
            // Without SMTPUTF8 the UTF-8 form is no ORCPT value at all.
            assertThat(describeRcptParameters(parameters, false)).isEqualTo("501 5.5.4 Bad ORCPT value");
        }
    }

    static Stream<Arguments> helo() {
        return Stream.of(
                row("mail.example.com", "mail.example.com"), // domain
                row("[192.0.2.1]", "[192.0.2.1]"), // address literal
                row("localhost", "localhost"), // single label
                row("my_host", "my_host"), // non-domain token is tolerated
                row("  mail.example.com  ", "mail.example.com"), // surrounding spaces dropped
                row("", "501 5.5.4 Domain name or address literal required"), // missing argument
                row("   ", "501 5.5.4 Domain name or address literal required"), // blank argument
                row("mail example", "501 5.5.4 Invalid EHLO/HELO argument"), // two tokens
                row("mäil.example", "501 5.5.4 Invalid EHLO/HELO argument"), // non-ASCII
                row("a\u0001b", "501 5.5.4 Invalid EHLO/HELO argument"), // control character
                row("a\tb", "501 5.5.4 Invalid EHLO/HELO argument") // tab
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void helo(String argument, String expected) {
        String described =
                switch (SmtpArguments.parseHelo(argument)) {
                    case ParseResult.Parsed<String>(String name) -> name;
                    case ParseResult.Rejected<String>(SmtpReply reply) -> full(reply);
                };
        assertThat(described).isEqualTo(expected);
    }

    static Stream<Arguments> bdat() {
        return Stream.of(
                row("100", "100"), // a chunk
                row("0 LAST", "0 LAST"), // an empty last chunk
                row("42 last", "42 LAST"), // LAST in any case
                row("000000000000000007", "7"), // leading zeros
                row("0000000000000000116 LAST", "116 LAST"), // RFC 3030 2: 1*DIGIT, however many zeros lead
                row("999999999999999999", "999999999999999999"), // 18 significant digits at most
                row("10  LAST", "10 LAST"), // two spaces, as Postfix reads them
                row("10\tLAST", "10 LAST"), // a tab
                row("10 LAST ", "10 LAST"), // a space after
                row("", "501 5.5.4 Syntax: BDAT chunk-size [LAST]"), // no size
                row("1000000000000000000", "501 5.5.4 Syntax: BDAT chunk-size [LAST]"), // 19 significant digits
                row("-1", "501 5.5.4 Syntax: BDAT chunk-size [LAST]"), // a sign
                row("+116 LAST", "501 5.5.4 Syntax: BDAT chunk-size [LAST]"), // a plus
                row("10 FIRST", "501 5.5.4 Syntax: BDAT chunk-size [LAST]"), // not LAST
                row("10 LAST x", "501 5.5.4 Syntax: BDAT chunk-size [LAST]") // a third word
                );
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource
    void bdat(String argument, String expected) {
        String described =
                switch (SmtpArguments.parseBdat(argument)) {
                    case ParseResult.Parsed<BdatChunk>(BdatChunk chunk) -> chunk.size() + (chunk.last() ? " LAST" : "");
                    case ParseResult.Rejected<BdatChunk>(SmtpReply reply) -> full(reply);
                };
        assertThat(described).isEqualTo(expected);
    }

    @Test
    void rejectsBarePostmasterWithoutLocalDomain() {
        assertThat(SmtpArguments.parseRcpt("TO:<postmaster>", false))
                .isEqualTo(ParseResult.rejected(
                        SmtpReplies.BAD_ADDRESS_SYNTAX.withText("Bad address syntax: missing @domain")));
    }

    @Test
    void utf8WithoutSmtpUtf8GetsTheCannedReply() {
        assertThat(SmtpArguments.parseMail("FROM:<ü@example.com>"))
                .isEqualTo(ParseResult.rejected(SmtpReplies.SMTPUTF8_REQUIRED));
        assertThat(SmtpArguments.parseRcpt("TO:<ü@example.com>", false, LOCAL))
                .isEqualTo(ParseResult.rejected(SmtpReplies.SMTPUTF8_REQUIRED));
    }

    @Test
    void keywordsAndValuesMatchInUsAsciiAlone() {
        // Unicode's capital of the long s (U+017F) is S and of the dotless i (U+0131) is I; neither is a letter
        // of SMTP's keywords, which compare case-insensitively in US-ASCII only (RFC 5321 2.4).
        assertThat(SmtpArguments.parseBdat("10 la\u017Ft"))
                .isEqualTo(ParseResult.rejected(SmtpReplies.BAD_BDAT_SYNTAX));
        assertThat(SmtpArguments.parseBdat("10 last") instanceof ParseResult.Parsed)
                .isTrue();
        assertThat(
                        SmtpArguments.parseMail("FROM:<a@example.com> BODY=8B\u0131TMIME SMTPUTF8")
                                instanceof ParseResult.Parsed)
                .isFalse();
        assertThat(SmtpArguments.parseMail("FROM:<a@example.com> body=8bitmime") instanceof ParseResult.Parsed)
                .isTrue();
        assertThat(
                        SmtpArguments.parseRcpt("TO:<b@example.com> NOTIFY=\u017FUCCESS", true, LOCAL)
                                instanceof ParseResult.Parsed)
                .isFalse();
    }

    @Test
    void envelopesWithTheSameDomainOrNoParametersShareThemInsteadOfHoldingCopies() {
        MailFrom first = parsedMail("FROM:<a@shared.example>");
        MailFrom second = parsedMail("FROM:<b@" + new String("shared.example") + ">");
        assertThat(second.reversePath().mailbox().domain())
                .isSameAs(first.reversePath().mailbox().domain());
        assertThat(first.parameters()).isSameAs(MailParameters.NONE);
        assertThat(parsedMail("FROM:<a@shared.example> SIZE=10").parameters())
                .isNotSameAs(MailParameters.NONE)
                .extracting(MailParameters::size)
                .isEqualTo(10L);

        RcptTo plain = parsedRcpt("TO:<c@shared.example>");
        assertThat(plain.mailbox().domain())
                .isSameAs(first.reversePath().mailbox().domain());
        assertThat(plain.parameters()).isSameAs(RcptParameters.NONE);
        assertThat(parsedRcpt("TO:<c@shared.example> NOTIFY=NEVER").parameters().notifyOn())
                .containsExactly(RcptParameters.Notify.NEVER);
        // Only equal strings are shared: a domain differing in case stays as the client wrote it.
        assertThat(parsedRcpt("TO:<c@Shared.Example>").mailbox().domain()).isEqualTo("Shared.Example");
    }

    private static MailFrom parsedMail(String argument) {
        return ((ParseResult.Parsed<MailFrom>) SmtpArguments.parseMail(argument)).value();
    }

    private static RcptTo parsedRcpt(String argument) {
        return ((ParseResult.Parsed<RcptTo>) SmtpArguments.parseRcpt(argument, false, LOCAL)).value();
    }

    @Test
    void unknownParameterGetsTheCannedReply() {
        assertThat(SmtpArguments.parseMail("FROM:<a@example.com> XYZ"))
                .isEqualTo(ParseResult.rejected(SmtpReplies.UNKNOWN_PARAMETER));
    }

    @Test
    void syntaxErrorNamesTheReason() {
        assertThat(SmtpArguments.parseMail("FROM:<user@example.com>x"))
                .isEqualTo(ParseResult.rejected(SmtpReplies.BAD_SENDER_SYNTAX.withText(
                        "Bad sender address syntax: unexpected text after address")));
    }

    @Test
    void quotedLocalPartRoundTripsThroughAddress() {
        ParseResult<MailFrom> result = SmtpArguments.parseMail("FROM:<\"john \\\"q\\\" doe\"@example.com>");
        assertThat(result).isInstanceOfSatisfying(ParseResult.Parsed.class, parsed -> assertThat(
                        ((MailFrom) parsed.value()).reversePath().toPathString())
                .isEqualTo("<\"john \\\"q\\\" doe\"@example.com>"));
    }

    private static Arguments row(Object... values) {
        return Arguments.of(values);
    }

    private static String describeMail(ParseResult<MailFrom> result) {
        return switch (result) {
            case ParseResult.Parsed<MailFrom>(MailFrom mail) ->
                mail.reversePath().isNull() ? "<>" : describe(mail.reversePath().mailbox());
            case ParseResult.Rejected<MailFrom>(SmtpReply reply) -> reply.code() + " " + reply.status();
        };
    }

    private static String describe(Mailbox mailbox) {
        return mailbox.localPart() + " | " + mailbox.domain();
    }

    private static String describe(MailParameters p) {
        String auth = p.auth() == null ? "null" : p.auth();
        return p.size() + " " + p.body() + " " + p.smtpUtf8() + " " + p.ret() + " " + p.envId() + " " + auth
                + (p.requireTls() ? " REQUIRETLS" : "");
    }

    private static String describe(RcptParameters p) {
        Object[] notify = p.notifyOn().stream().map(Enum::name).sorted().toArray();
        return Arrays.toString(notify) + " " + p.orcpt();
    }

    private static String full(SmtpReply reply) {
        return reply.code() + " " + reply.status() + " " + reply.text();
    }
}

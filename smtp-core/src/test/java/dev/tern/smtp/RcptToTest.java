package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.address.Mailbox;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RcptToTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                  | local part | client's ORCPT              | ORCPT after the rewrite
            the address as given, as xtext          | Bob        | ''                          | rfc822;Bob@local.test
            plus and equals signs are encoded       | a+b=c      | ''                          | rfc822;a+2Bb+3Dc@local.test
            the client's own ORCPT is kept          | bob        | rfc822;first+40origin.test  | rfc822;first+40origin.test
            an internationalized address (RFC 6533) | pelé       | ''                          | utf-8;pel\\x{E9}@local.test
            """)
    void keepsTheAddressItHadInOrcpt(String what, String localPart, String given, String expected) {
        RcptTo rcpt = new RcptTo(
                new Mailbox(localPart, "local.test"),
                new RcptParameters(Set.of(RcptParameters.Notify.FAILURE), given.isEmpty() ? null : given));

        RcptTo forwarded = rcpt.forwardTo(new Mailbox("Bob", "elsewhere.test"));

        assertThat(forwarded.mailbox()).isEqualTo(new Mailbox("Bob", "elsewhere.test"));
        assertThat(forwarded.parameters().orcpt()).as(what).isEqualTo(expected);
        assertThat(Xtext.isValid(expected.substring(expected.indexOf(';') + 1))).isTrue();
        assertThat(forwarded.parameters().notifyOn()).containsExactly(RcptParameters.Notify.FAILURE);
    }
}

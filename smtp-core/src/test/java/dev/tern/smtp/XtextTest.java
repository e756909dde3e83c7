package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class XtextTest {

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            user+40example.com | user@example.com | encoded at sign
            e+3Dmc2            | e=mc2 | encoded equals sign
            a+2Bb              | a+b | encoded plus
            plain              | plain | nothing encoded
            +C3+BC             | ü | UTF-8 octets
            """)
    void decodes(String xtext, String decoded, String why) {
        assertThat(Xtext.isValid(xtext)).as(why).isTrue();
        assertThat(Xtext.decode(xtext)).as(why).isEqualTo(decoded);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            a+2b | lower-case hex
            a+2 | truncated hexchar
            a+ | lone plus
            a=b | raw equals sign
            'a b' | space
            é | non-ASCII
            +G0 | not hex
            """)
    void refusesMalformed(String xtext, String why) {
        assertThat(Xtext.isValid(xtext)).as(why).isFalse();
        assertThatThrownBy(() -> Xtext.decode(xtext)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            user+40example.com | true  | printable once decoded
            a+20b              | true  | space is printable (RFC 3461 4.4)
            +C3+BC             | true  | UTF-8 letter
            a+00b              | false | NUL
            a+0Ab              | false | LF
            a+0D+0Ab           | false | CRLF
            a+09b              | false | TAB
            a+1Fb              | false | unit separator, the last C0 control
            a+7Fb              | false | DEL
            a+C2+80b           | false | C1 control in UTF-8
            a+FFb              | false | not UTF-8
            a+0                | false | not xtext
            """)
    void tellsValuesThatDecodeToPrintableText(String xtext, boolean printable, String why) {
        assertThat(Xtext.isPrintable(xtext)).as(why).isEqualTo(printable);
    }

    @Test
    void encodesWhatItMust() {
        assertThat(Xtext.encode("a+b=c d\r\nü")).isEqualTo("a+2Bb+3Dc+20d+0D+0A+C3+BC");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            user@example.com  | user@example.com        | plain ASCII stands for itself
            pelé@example.com  | pel\\x{E9}@example.com   | a Latin-1 letter
            用户@例子.example  | \\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.example | CJK
            a+b=c\\d@x.test   | a\\x{2B}b\\x{3D}c\\x{5C}d@x.test | plus, equals and backslash are escaped
            😀@x.test          | \\x{1F600}@x.test      | beyond the BMP, one code point
            """)
    void encodesUtf8AddressesAsRfc6533Says(String address, String encoded, String why) {
        assertThat(Xtext.encodeUtf8Address(address)).as(why).isEqualTo(encoded);
        assertThat(Xtext.isValid(encoded)).as("also valid xtext").isTrue();
    }

    @Test
    void roundTripsRandomText() {
        SplittableRandom random = new SplittableRandom(3461);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(20);
            for (int j = 0; j < length; j++) {
                sb.appendCodePoint(random.nextInt(4) == 0 ? random.nextInt(0x80, 0x3000) : random.nextInt(0, 0x80));
            }
            String text = sb.toString();
            String encoded = Xtext.encode(text);
            assertThat(Xtext.isValid(encoded)).as(encoded).isTrue();
            assertThat(Xtext.decode(encoded)).isEqualTo(text);
        }
    }
}

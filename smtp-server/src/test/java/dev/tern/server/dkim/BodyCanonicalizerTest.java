package dev.tern.server.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 6376 3.4.3 and 3.4.4 body forms; the expected ones agree with dkimpy's canonicalization module. */
class BodyCanonicalizerTest {

    @ParameterizedTest(name = "{0} [{1}] -> [{2}]")
    @CsvSource(
            delimiter = '|',
            emptyValue = "",
            textBlock =
                    """
            # mode  | body (\\r \\n \\t escaped)  | canonical form
            # the empty body: one CRLF for simple, nothing for relaxed (erratum 3192)
            simple  | ''                          | \\r\\n
            relaxed | ''                          | ''
            # only empty lines
            simple  | \\r\\n\\r\\n                | \\r\\n
            relaxed | \\r\\n\\r\\n                | ''
            # empty lines at the end go
            simple  | a\\r\\n\\r\\n\\r\\n          | a\\r\\n
            relaxed | a\\r\\n\\r\\nb\\r\\n\\r\\n  | a\\r\\n\\r\\nb\\r\\n
            # no CRLF at the end: one is added
            simple  | a                           | a\\r\\n
            relaxed | a                           | a\\r\\n
            # white space: kept by simple; by relaxed runs become one space, none at line ends
            simple  | ' a  \\r\\n'                | ' a  \\r\\n'
            relaxed | ' a  \\r\\n'                | ' a\\r\\n'
            relaxed | a  b\\t\\tc \\r\\n          | a b c\\r\\n
            relaxed | '  lead\\r\\n'              | ' lead\\r\\n'
            # a line of white space only is an empty line for relaxed
            relaxed | ' \\t \\r\\n'               | ''
            simple  | ' \\t \\r\\n'               | ' \\t \\r\\n'
            # white space on an unterminated last line is a space before the added CRLF
            relaxed | 'a\\r\\n  '                 | 'a\\r\\n \\r\\n'
            simple  | 'a\\r\\n  '                 | 'a\\r\\n  \\r\\n'
            # a lone CR is an octet like any other
            relaxed | a\\rb                       | a\\rb\\r\\n
            simple  | a\\rb\\r                    | a\\rb\\r\\r\\n
            # 8-bit octets pass unchanged
            relaxed | Grüße  dir\\r\\n            | Grüße dir\\r\\n
            """)
    void canonicalForm(String mode, String body, String expected) throws Exception {
        byte[] input = unescape(body);
        byte[] want = MessageDigest.getInstance("SHA-256").digest(unescape(expected));
        Canonicalization.Mode m = Canonicalization.Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT));
        // Whole, and cut in two at every position.
        for (int cut = 0; cut <= input.length; cut++) {
            BodyCanonicalizer c = new BodyCanonicalizer(m, MessageDigest.getInstance("SHA-256"));
            c.update(ByteBuffer.wrap(input, 0, cut));
            ByteBuffer direct = ByteBuffer.allocateDirect(input.length - cut);
            direct.put(input, cut, input.length - cut).flip();
            c.update(direct);
            assertThat(c.finish()).as("cut at %d", cut).isEqualTo(want);
        }
    }

    private static byte[] unescape(String text) {
        return text.replace("\\r", "\r")
                .replace("\\n", "\n")
                .replace("\\t", "\t")
                .getBytes(StandardCharsets.UTF_8);
    }
}

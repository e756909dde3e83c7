package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Structured MIME field values read as RFC 2045 writes them, comments and white space anywhere between. */
class MimeFieldValueTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            textBlock =
                    """
            # Content-Transfer-Encoding value               | mechanism
            8bit                                            | 8bit
            ' QUOTED-Printable '                            | quoted-printable
            8bit (comment)                                  | 8bit
            (comment) 8bit                                  | 8bit
            (a (nested) comment) binary                     | binary
            (a quoted-pair \\) in a comment) 7bit           | 7bit
            (an unclosed comment 8bit                       | null
            (a quoted-pair at the end \\                    | null
            ''                                              | null
            """)
    void readsTheMechanismOfATransferEncoding(String value, String mechanism) {
        assertThat(MimeFieldValue.transferEncoding(value)).isEqualTo(mechanism);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            textBlock =
                    """
            # Content-Type value                                      | media type      | boundary
            multipart/mixed; boundary=b                               | multipart/mixed | b
            Multipart/Mixed (comment) ; BOUNDARY = "a b;c"            | multipart/mixed | a b;c
            multipart/mixed; name="x; boundary=no"; boundary=yes      | multipart/mixed | yes
            multipart (a) / (b) alternative;; boundary=(c)b           | multipart/alternative | b
            multipart/mixed; boundary="never closed                   | multipart/mixed | null
            text/plain; charset=utf-8                                 | text/plain      | null
            text                                                      | text            | null
            (nothing but a comment)                                   | ''              | null
            """)
    void readsTheMediaTypeAndTheBoundaryOfAContentType(String value, String mediaType, String boundary) {
        assertThat(MimeFieldValue.mediaType(value)).isEqualTo(mediaType);
        assertThat(MimeFieldValue.parameter(value, "boundary")).isEqualTo(boundary);
    }
}

package dev.tern.server.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.smtp.SmtpReply;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SinkOptionsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                // the whole reply, with an enhanced status code
                "421 4.7.28 rate limited      | 421 4.7.28 rate limited",
                // without an enhanced status code
                "450 busy                     | 450 busy",
                // a code alone gets a text
                "554                          | 554 try again later",
                // text alone follows 421 4.7.0
                "rate limited                 | 421 4.7.0 rate limited",
            })
    void readsTheRefusalReply(String text, String expected) {
        assertThat(SinkOptions.parseReply(text).toString()).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
        "250 ok", // not a refusal
        "421 5.7.0 wrong class", // enhanced status of another class
        "42 short", // not three digits
    })
    void refusesRepliesThatAreNotRefusals(String text) {
        assertThatThrownBy(() -> SinkOptions.parseReply(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void checksOptionsTogether() {
        assertInvalid(b -> b.rcptTempfail(60).rcptReject(41));
        assertInvalid(b -> b.dataTempfail(100).dataReject(0.5));
        assertInvalid(b -> b.drop(-1));
        assertInvalid(b -> b.delay(Duration.ofMillis(-1)));
        assertInvalid(b -> b.maxLineLength(511));
        assertInvalid(b -> b.greetingReply(new SmtpReply(250, "ok")));
        assertThat(SinkOptions.builder().rcptTempfail(60).rcptReject(40).build().rcptReject())
                .isEqualTo(40);
    }

    private static void assertInvalid(UnaryOperator<SinkOptions.Builder> change) {
        assertThatThrownBy(() -> change.apply(SinkOptions.builder()).build())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSameSeedDrawsTheSameNumbersAndEachKindItsOwn() {
        FaultDice one = new FaultDice(7);
        FaultDice two = new FaultDice(7);
        double[] rcpt = IntStream.range(0, 1000)
                .mapToDouble(i -> one.percent(FaultDice.Kind.RCPT))
                .toArray();
        // Draws of another kind in between change nothing for RCPT.
        double[] again = IntStream.range(0, 1000)
                .mapToDouble(i -> {
                    two.percent(FaultDice.Kind.DATA);
                    return two.percent(FaultDice.Kind.RCPT);
                })
                .toArray();

        assertThat(again).containsExactly(rcpt);
        assertThat(java.util.Arrays.stream(rcpt).allMatch(p -> p >= 0 && p < 100))
                .isTrue();
        assertThat(java.util.Arrays.stream(rcpt).filter(p -> p < 25).count()).isBetween(200L, 300L);
        assertThat(new FaultDice(8).percent(FaultDice.Kind.RCPT)).isNotEqualTo(rcpt[0]);
    }
}

package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.SmtpReply;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The one-line values of shaping: rates, reply patterns, destination matches, and attempt verdicts. */
class ShapingValuesTest {

    @ParameterizedTest
    @CsvSource({
        "100/s, 100, PT1S, 10000000", // ten milliseconds apart
        "600/m, 600, PT1M, 100000000",
        "1/h, 1, PT1H, 3600000000000",
        "' 3 / S ', 3, PT1S, 333333333", // spaces and case do not matter
    })
    void parsesRates(String text, int count, Duration per, long intervalNanos) {
        MessageRate rate = MessageRate.parse(text);
        assertThat(rate.count()).isEqualTo(count);
        assertThat(rate.per()).isEqualTo(per);
        assertThat(rate.intervalNanos()).isEqualTo(intervalNanos);
        assertThat(MessageRate.parse(rate.toString())).isEqualTo(rate);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "100", "/s", "100/", "0/s", "-1/s", "x/s", "100/d", "100/ms"})
    void refusesBadRates(String text) {
        assertThatThrownBy(() -> MessageRate.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "421 4.7.0, 421, 4.7.0, Try again later, true",
        "421 4.7.0, 421, 4.7.1, Try again later, false", // another enhanced code
        "421 4.7.0, 451, 4.7.0, Try again later, false", // another reply code
        "4.7.28, 421, 4.7.28, rate limited, true", // any code with this enhanced code
        "4.7.28, 550, 5.7.28, rate limited, false",
        "4xx try again later, 450, 4.2.0, Please TRY again LATER, true", // wildcard code, text ignoring case
        "try again later, 451, 4.3.0, later, false",
        "421, 421, , busy, true", // a reply without an enhanced code
        "421 4.7.0, 421, , busy, false",
    })
    void matchesReplies(String pattern, int code, String enhanced, String text, boolean matches) {
        SmtpReply reply = new SmtpReply(code, enhanced, text);
        assertThat(ReplyPattern.parse(pattern).matches(reply)).isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void refusesEmptyPatterns(String text) {
        assertThatThrownBy(() -> ReplyPattern.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "example.com, example.com, true",
        "example.com, EXAMPLE.com, true", // rules are lower-cased; destinations are lower case
        "example.com, mx.example.com, false", // a plain name is that domain only
        "*.example.com, mx.example.com, true",
        "*.example.com, example.com, false", // *. is subdomains only
        "*.example.com, badexample.com, false",
        ".example.com, example.com, true", // a leading dot: the domain and its subdomains
        ".example.com, a.b.example.com, true",
        ".example.com, notexample.com, false",
        "*, anything.test, true",
    })
    void matchesDestinations(String match, String destination, boolean matches) {
        assertThat(new DestinationRule(match, null, 0, 0).matches(destination.toLowerCase(java.util.Locale.ROOT)))
                .isEqualTo(matches);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a*.example.com", "*example.com", "mx.*.example.com", "r@example.com", "a b"})
    void refusesBadMatches(String match) {
        assertThatThrownBy(() -> new DestinationRule(match, null, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "'250', SUCCESS", // delivered
        "'250,451', SUCCESS", // one delivered is enough
        "'451', PUSHBACK", // a deferred recipient alone
        "'451,451', PUSHBACK", // everything deferred
        "'451,550', NEUTRAL", // a server that answers and refuses one
        "'550', NEUTRAL",
        "'', NEUTRAL", // no outcome: a local error
    })
    void judgesAttempts(String codes, DestinationState.Verdict verdict) {
        List<RecipientOutcome> outcomes = codes.isEmpty()
                ? List.of()
                : java.util.Arrays.stream(codes.split(","))
                        .map(c -> RecipientOutcome.fromReply(0, new SmtpReply(Integer.parseInt(c), "x"), "mx.test"))
                        .toList();
        assertThat(DestinationState.verdict(outcomes)).isEqualTo(verdict);
    }
}

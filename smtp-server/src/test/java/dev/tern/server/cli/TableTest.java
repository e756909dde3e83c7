package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The command line's one table layout: padded columns, numbers to the right, no trailing blanks. */
class TableTest {

    @Test
    void padsColumnsAlignsNumbersRightAndLeavesTheLastColumnRagged() {
        String text = new Table("Queue ID", "Size>", "Sender/Recipient")
                .row("ABC!", "1234", "alice@example.org")
                .row("", "", "(host mx said: 451 4.3.0 busy)")
                .row("DEFGHIJKL", "7", "bob@example.org")
                .render();

        assertThat(text)
                .isEqualTo(
                        """
                        Queue ID   Size  Sender/Recipient
                        ABC!       1234  alice@example.org
                                         (host mx said: 451 4.3.0 busy)
                        DEFGHIJKL     7  bob@example.org
                        """);
    }

    /** A cell is the server's text: an escape sequence or a line break in it reaches the terminal as ?. */
    @Test
    void writesControlAndFormatCharactersAsQuestionMarks() {
        String text = new Table("Destination", "Suspension")
                .row("a.test", "moving\u001b[31m servers\r\nnext\u202e")
                .row("b.test", "-")
                .render();

        assertThat(text)
                .isEqualTo(
                        """
                        Destination  Suspension
                        a.test       moving?[31m servers??next?
                        b.test       -
                        """);
    }

    @Test
    void refusesARowOfTheWrongWidth() {
        assertThatThrownBy(() -> new Table("a", "b").row("only one")).isInstanceOf(IllegalArgumentException.class);
    }
}

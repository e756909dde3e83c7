package dev.tern.server.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A text parameter is kept and shown as given, so it carries nothing a terminal or a log line would act on. */
class AdminRequestTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "moving\u001b[31m servers", // an escape sequence: colours the operator's terminal
                "moving\nservers", // a line break
                "moving\tservers", // a tab
                "moving servers\u0007", // BEL
                "moving\u009bservers", // a C1 control (CSI)
                "moving\u007fservers" // DEL
            })
    void refusesControlCharactersInText(String reason) {
        AdminRequest request = new AdminRequest("ops", Map.of(), Map.of("reason", List.of(reason)));

        assertThatThrownBy(() -> request.text("reason"))
                .isInstanceOf(AdminRequest.BadParameter.class)
                .hasMessage("reason must not contain control characters (escape, line breaks, tabs)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"moving the mail servers", "déménagement des serveurs", "引っ越し"})
    void takesTextOfAnyScript(String reason) {
        AdminRequest request = new AdminRequest("ops", Map.of(), Map.of("reason", List.of(reason)));

        assertThat(request.text("reason")).hasValue(reason);
    }
}

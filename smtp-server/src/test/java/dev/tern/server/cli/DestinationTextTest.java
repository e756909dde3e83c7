package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The API's destination answers as an operator reads them: a table, name-value lines, one line per action. */
class DestinationTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SUSPENDED =
            """
            {"name": "busy.example", "state": "suspended", "queued": 12, "concurrency_limit": 1, "in_flight": 0,
             "max_rate": "10/s", "recent": {"window_seconds": 600, "delivered": 3, "deferred": 4, "failed": 1},
             "suspension": {"since": "2030-01-01T00:00:00Z", "until": "2030-01-01T00:30:00Z",
                            "reason": "maintenance", "manual": true}}
            """;
    private static final String ACTIVE =
            """
            {"name": "ok.example", "state": "active", "queued": 0, "concurrency_limit": 2, "in_flight": 1,
             "max_rate": null, "recent": {"window_seconds": 600, "delivered": 5, "deferred": 0, "failed": 0},
             "suspension": null}
            """;

    @Test
    void listsOneLinePerDestinationWithItsSuspensionLast() throws Exception {
        String text = DestinationText.list(
                JSON.readTree("{\"total\": 2, \"destinations\": [" + SUSPENDED + "," + ACTIVE + "]}"));

        assertThat(text.lines().toList())
                .first()
                .asString()
                .startsWith(
                        "Destination   State      Queued  Limit  In flight  Rate  Delivered  Deferred  Failed  Suspension");
        assertThat(text)
                .contains(
                        "busy.example  suspended      12      1          0  10/s          3         4       1  until 2030-01-01T00:30:00Z (by hand): maintenance\n")
                .contains("ok.example    active          0      2          1  -             5         0       0  -\n")
                .endsWith(
                        "-- 2 destinations; delivered, deferred and failed count recipients over the last 10 minutes.\n");
    }

    @Test
    void saysWhenThereAreNone() throws Exception {
        JsonNode empty = JSON.readTree("{\"total\": 0, \"destinations\": []}");
        assertThat(DestinationText.list(empty)).startsWith("No destinations");
    }

    @Test
    void showsOneAsNameValueLines() throws Exception {
        assertThat(DestinationText.show(JSON.readTree(SUSPENDED)))
                .isEqualTo(
                        """
                        destination: busy.example
                        state: suspended
                        queued: 12 message(s)
                        concurrency: 0 in flight, limit 1
                        rate: 10/s
                        last 10 minutes: 3 delivered, 4 deferred, 1 failed
                        suspended since: 2030-01-01T00:00:00Z
                        suspension: until 2030-01-01T00:30:00Z (by hand): maintenance
                        """);
        assertThat(DestinationText.show(JSON.readTree(ACTIVE))).doesNotContain("suspen");
    }

    @Test
    void anActionIsOneLine() throws Exception {
        assertThat(DestinationText.action(JSON.readTree(
                        "{\"action\":\"suspend\",\"target\":\"busy.example\",\"outcome\":\"suspended\",\"destination\":"
                                + SUSPENDED + "}")))
                .isEqualTo("busy.example: suspended until 2030-01-01T00:30:00Z (by hand): maintenance\n");
        assertThat(DestinationText.action(JSON.readTree(
                        "{\"action\":\"resume\",\"target\":\"ok.example\",\"outcome\":\"not suspended\",\"destination\":"
                                + ACTIVE + "}")))
                .isEqualTo("ok.example: not suspended\n");
    }
}

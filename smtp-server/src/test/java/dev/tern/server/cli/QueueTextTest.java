package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The API's queue answers as an operator reads them: mailq's marks and reasons, one line per action. */
class QueueTextTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void marksHeldAndActiveMessagesAndWritesTheNullSenderAsMailerDaemon() throws Exception {
        String page =
                """
                {"total": 3, "offset": 0, "limit": 2, "order": "oldest", "messages": [
                  {"queue_id": "AAA", "state": "held", "sender": "", "message_size": 2048,
                   "arrival_time": "2030-01-01T00:00:00Z", "recipients": [
                     {"address": "bob@example.net", "state": "deferred",
                      "delay_reason": "host mx.example.net said: 451 4.3.0 busy"}]},
                  {"queue_id": "BBB", "state": "active", "sender": "alice@example.org", "message_size": 10,
                   "arrival_time": "2030-01-01T00:00:01Z", "recipients": [
                     {"address": "carol@example.com", "state": "pending", "delay_reason": null}]}
                ]}
                """;

        String text = QueueText.list(JSON.readTree(page), false);

        assertThat(text.lines().toList()).first().asString().startsWith("Queue ID  Size  Arrival Time");
        assertThat(text)
                .contains("AAA!      2048  ")
                .contains("  MAILER-DAEMON\n")
                .contains("(host mx.example.net said: 451 4.3.0 busy)\n")
                .contains("bob@example.net  [deferred]\n")
                .contains("BBB*        10  ")
                .contains("carol@example.com\n")
                .endsWith("-- 3 Kbytes in 2 Requests. (3 in all; from 1, see --offset and --limit)\n");
    }

    @Test
    void saysAnEmptyQueueIsEmpty() throws Exception {
        JsonNode empty = JSON.readTree("{\"total\": 0, \"offset\": 0, \"limit\": 100, \"messages\": []}");
        assertThat(QueueText.list(empty, false)).isEqualTo("Mail queue is empty\n");
        // A filter that matched nothing says so, not that the queue is empty.
        assertThat(QueueText.list(empty, true)).isEqualTo("No message in the queue matches\n");
    }

    @Test
    void anActionIsOneLine() throws Exception {
        assertThat(
                        QueueText.action(
                                JSON.readTree(
                                        "{\"action\":\"hold\",\"target\":\"AAA\",\"outcome\":\"held\",\"messages\":1,\"recipients\":0}")))
                .isEqualTo("AAA: held");
        assertThat(
                        QueueText.action(
                                JSON.readTree(
                                        "{\"action\":\"flush\",\"target\":\"domain=example.net\",\"outcome\":\"flushed\",\"messages\":2,\"recipients\":3}")))
                .isEqualTo("domain=example.net: flushed: 2 message(s), 3 recipient(s)");
    }
}

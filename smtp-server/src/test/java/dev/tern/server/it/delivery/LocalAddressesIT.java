package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an address of a local domain reaches: address extensions, aliases here and elsewhere, postmaster. */
class LocalAddressesIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ALICE = DeliveryFixture.SENDER;

    @TempDir
    Path dataDir;

    @Test
    void deliversAnAddressExtensionToTheMailboxBeforeIt() throws Exception {
        Map<String, String> env = Map.of("TERN_LOCAL_MAILBOXES", ALICE, "TERN_LOCAL_RECIPIENT_DELIMITER", "+");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of(), env)) {
            tern.submit("alice+news@local.test", "extension");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(ALICE)).hasSize(1));
            assertThat(tern.mailbox(ALICE).get(0))
                    .contains("Delivered-To: alice+news@local.test\r\n")
                    .contains("Subject: extension");
            assertThat(tern.mailbox("alice+news@local.test")).isEmpty();
        }
    }
}

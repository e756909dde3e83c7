package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which hostnames make a host that answers EHLO with them this server (see {@link Delivery#namesOnlyUs}). */
class LoopNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "mx.example.org, true",
        "MX.Example.ORG, true",
        "tern.test, true",
        "vm, false", // a machine's bare name, Tern's default: a program beside Tern may answer with it too
        "localhost, false",
        "localhost.localdomain, false",
        "LOCALHOST.localdomain, false"
    })
    void aDomainNameOfOurOwnOnly(String hostname, boolean ours) {
        assertThat(Delivery.namesOnlyUs(hostname)).isEqualTo(ours);
    }
}

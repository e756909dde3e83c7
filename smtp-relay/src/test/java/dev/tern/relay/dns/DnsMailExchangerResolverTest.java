package dev.tern.relay.dns;

import static dev.tern.relay.dns.ResolverFixture.options;
import static dev.tern.relay.dns.ResolverFixture.resolve;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.dns.MxResolution.Failure;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.testing.TestDnsServer;
import dev.tern.smtp.EnhancedStatus;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DnsMailExchangerResolverTest extends ResolverTestBase {
    @Test
    void ordersExchangersByPreference() throws Exception {
        dns.mx("example.test", 20, "mx2.example.test")
                .mx("example.test", 10, "mx1.example.test")
                .mx("example.test", 30, "mx3.example.test")
                .a("mx1.example.test", "127.0.0.11")
                .a("mx2.example.test", "127.0.0.12")
                .a("mx3.example.test", "127.0.0.13")
                .a("example.test", "127.0.0.99");

        Exchangers found = (Exchangers) resolve(resolver, "Example.TEST.");

        assertThat(found.exchangers())
                .extracting(MailExchanger::host, MailExchanger::preference)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("mx1.example.test", 10),
                        org.assertj.core.groups.Tuple.tuple("mx2.example.test", 20),
                        org.assertj.core.groups.Tuple.tuple("mx3.example.test", 30));
        assertThat(found.exchangers().getFirst().addresses()).containsExactly(address("127.0.0.11"));
        // MX present: the domain's own A record is never asked for (RFC 5321 5.1).
        assertThat(dns.queryCount("example.test", "A")).isZero();
    }

    /**
     * 0.0.0.0/8 and :: are no host's addresses (a sinkholed name's answer): never dialled, since a connection there
     * reaches this host. A host with only such an address is left out like one without an address, so a working
     * backup still gets the mail; with nothing else left the mail is returned; a literal naming one fails at once.
     */
    @Test
    void addressesNoHostHasAreNeverDialled() throws Exception {
        dns.mx("mixed.test", 10, "sink.mixed.test")
                .mx("mixed.test", 20, "backup.mixed.test")
                .mx("mixed.test", 30, "both.mixed.test")
                .a("sink.mixed.test", "0.0.0.0")
                .aaaa("sink.mixed.test", "::")
                .a("backup.mixed.test", "127.0.0.12")
                .a("both.mixed.test", "0.1.2.3")
                .a("both.mixed.test", "127.0.0.13")
                .mx("sunk.test", 10, "mx.sunk.test")
                .a("mx.sunk.test", "0.0.0.0")
                .a("implicit.test", "0.0.0.0");

        Exchangers found = (Exchangers) resolve(resolver, "mixed.test");
        assertThat(found.exchangers())
                .containsExactly(
                        new MailExchanger("backup.mixed.test", 20, List.of(address("127.0.0.12"))),
                        new MailExchanger("both.mixed.test", 30, List.of(address("127.0.0.13"))));

        Failure sunk = (Failure) resolve(resolver, "sunk.test");
        assertFailure(sunk, DeliveryStatus.PERMANENT, "5.4.4");
        assertThat(sunk.diagnostic()).contains("0.0.0.0");

        Failure implicit = (Failure) resolve(resolver, "implicit.test");
        assertFailure(implicit, DeliveryStatus.PERMANENT, "5.4.4");
        assertThat(implicit.diagnostic()).contains("0.0.0.0");

        assertFailure((Failure) resolve(resolver, "[0.0.0.0]"), DeliveryStatus.PERMANENT, "5.1.2");
        assertFailure((Failure) resolve(resolver, "[IPv6:::]"), DeliveryStatus.PERMANENT, "5.1.2");
        assertThat(resolver.resolveHost("0.0.0.0").toCompletableFuture().get()).isInstanceOf(Failure.class);
    }

    /** A host left out because its address lookup failed for now is said (its preference), so mail may wait for it. */
    @Test
    void saysWhichHostWasLeftOutForNow() throws Exception {
        dns.mx("example.test", 10, "p1.example.test")
                .mx("example.test", 20, "p2.example.test")
                .servfail("p1.example.test")
                .a("p2.example.test", "127.0.0.12");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("p2.example.test");
        assertThat(found.leftOutForNow()).isEqualTo(10);
    }

    @Test
    void keepsEqualPreferencesAsOneGroup() throws Exception {
        dns.mx("example.test", 10, "a.example.test")
                .mx("example.test", 10, "b.example.test")
                .mx("example.test", 20, "c.example.test")
                .a("a.example.test", "127.0.0.11")
                .a("b.example.test", "127.0.0.12")
                .a("c.example.test", "127.0.0.13");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.groups()).hasSize(2);
        assertThat(found.groups().get(0))
                .extracting(MailExchanger::host)
                .containsExactlyInAnyOrder("a.example.test", "b.example.test");
        assertThat(found.groups().get(1)).extracting(MailExchanger::host).containsExactly("c.example.test");
    }

    @Test
    void fallsBackToImplicitMxWhenThereIsNoMx() throws Exception {
        dns.a("example.test", "127.0.0.21").aaaa("example.test", "::1");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers())
                .containsExactly(new MailExchanger("example.test", 0, List.of(address("127.0.0.21"), address("::1"))));
    }

    @Test
    void failsPermanentlyWhenNoMxAndNoAddress() throws Exception {
        dns.mx("other.test", 10, "mx.other.test").aaaa("example.test", "::1");
        resolver =
                new DnsMailExchangerResolver(options(dns).withAddressOrder(MxResolverOptions.AddressOrder.IPV4_ONLY));

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.PERMANENT, "5.1.2");
    }

    @Test
    void nullMxFailsPermanentlyWithoutAddressLookups() throws Exception {
        dns.nullMx("example.test").a("example.test", "127.0.0.21");

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.PERMANENT, "5.1.10");
        assertThat(failure.diagnostic()).contains("null MX");
        assertThat(dns.queries()).containsExactly(new TestDnsServer.Question("example.test", "MX"));
    }

    @Test
    void nxdomainFailsPermanently() throws Exception {
        Failure failure = (Failure) resolve(resolver, "nowhere.test");

        assertFailure(failure, DeliveryStatus.PERMANENT, "5.1.2");
        assertThat(failure.diagnostic()).contains("NXDOMAIN");
    }

    @Test
    void servfailFailsTemporarily() throws Exception {
        dns.mx("example.test", 10, "mx.example.test").servfail("example.test");

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.TEMPORARY, "4.4.3");
        assertThat(failure.diagnostic()).contains("SERVFAIL");
    }

    @Test
    void aRefusedQuestionFailsTemporarilyAndIsSaidInWords() throws Exception {
        dns.mx("example.test", 10, "mx.example.test").refused("example.test");

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.TEMPORARY, "4.4.3");
        assertThat(failure.diagnostic())
                .contains("the server refused to answer (REFUSED)")
                .doesNotContain("Exception");
    }

    /**
     * A question that times out fails on the resolver's executor, as an answer completes: never on the event loop
     * that waits for datagrams, where whatever follows the failure (the next try, the routing, its log line) would
     * run.
     */
    @Test
    void aTimeoutCompletesOnTheResolversExecutor() throws Exception {
        dns.mx("example.test", 10, "mx.example.test").drop("example.test");
        java.util.concurrent.ExecutorService executor =
                java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "dns-test-executor"));
        try {
            DnsMailExchangerResolver onExecutor =
                    new DnsMailExchangerResolver(options(dns).withExecutor(executor));
            String thread = onExecutor
                    .resolve("example.test")
                    .thenApply(r -> Thread.currentThread().getName())
                    .toCompletableFuture()
                    .get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(thread).isEqualTo("dns-test-executor");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void timeoutFailsTemporarilyWithinTheConfiguredTimeout() throws Exception {
        dns.mx("example.test", 10, "mx.example.test").drop("example.test");
        long start = System.nanoTime();

        Failure failure = (Failure) resolve(resolver, "example.test");

        // 300 ms per attempt, two attempts; dnsjava checks its timeouts once a second, so ~2 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertFailure(failure, DeliveryStatus.TEMPORARY, "4.4.3");
        assertThat(failure.diagnostic()).endsWith("timed out");
        assertThat(dns.queryCount("example.test", "MX")).isEqualTo(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // records, or a definite "none" (then the implicit MX is looked up, not counted here)
        "answers,  OK",
        "nxdomain, NXDOMAIN",
        "servfail, SERVFAIL",
        // dnsjava words its last timeout as a plain IOException: still a timeout
        "drop,     TIMEOUT",
    })
    void countsEachMxQuestionByItsResult(String mode, DeliveryMetrics.DnsResult expected) throws Exception {
        dns.mx("example.test", 10, "mx.example.test").a("mx.example.test", "127.0.0.11");
        switch (mode) {
            case "nxdomain" -> dns.nxdomain("example.test");
            case "servfail" -> dns.servfail("example.test");
            case "drop" -> dns.drop("example.test");
            default -> {}
        }
        List<DeliveryMetrics.DnsResult> results = new CopyOnWriteArrayList<>();
        resolver = new DnsMailExchangerResolver(options(dns), new DeliveryMetrics() {
            @Override
            public void dnsLookup(DnsResult result, long nanos) {
                results.add(result);
            }
        });

        resolve(resolver, "example.test");

        assertThat(results).containsExactly(expected);
    }

    @Test
    void skipsMxHostsWithoutAddress() throws Exception {
        dns.mx("example.test", 10, "gone.example.test")
                .mx("example.test", 20, "mx.example.test")
                .a("mx.example.test", "127.0.0.31");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("mx.example.test");
    }

    @Test
    void failsPermanentlyWhenNoMxHostHasAnAddress() throws Exception {
        dns.mx("example.test", 10, "gone.example.test").mx("example.test", 20, "void.example.test");

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.PERMANENT, "5.4.4");
    }

    @Test
    void failsTemporarilyWhenMxHostLookupsFailForNow() throws Exception {
        dns.mx("example.test", 10, "gone.example.test")
                .mx("example.test", 20, "broken.example.test")
                .a("broken.example.test", "127.0.0.1")
                .servfail("broken.example.test");

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.TEMPORARY, "4.4.3");
    }

    @Test
    void mxPointingOnlyAtOurselvesIsALoop() throws Exception {
        dns.mx("example.test", 10, "me.tern.test").a("me.tern.test", "127.0.0.41");
        resolver = new DnsMailExchangerResolver(
                options(dns).withSelf(host -> host.equals("me.tern.test"), address -> false));

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.PERMANENT, "5.4.6");
        assertThat(failure.diagnostic()).isEqualTo("mail for example.test loops back to myself");
    }

    @Test
    void keepsOnlyHostsMorePreferredThanOurselves() throws Exception {
        dns.mx("example.test", 10, "primary.example.test")
                .mx("example.test", 20, "me.tern.test")
                .mx("example.test", 20, "peer.example.test")
                .mx("example.test", 30, "backup.example.test")
                .a("primary.example.test", "127.0.0.51")
                .a("me.tern.test", "127.0.0.52")
                .a("peer.example.test", "127.0.0.53")
                .a("backup.example.test", "127.0.0.54");
        resolver = new DnsMailExchangerResolver(
                options(dns).withSelf(host -> host.equals("me.tern.test"), address -> false));

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        // RFC 5321 5.1: our own preference and every higher value are discarded.
        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("primary.example.test");
    }

    @Test
    void recognisesOurselvesByAddress() throws Exception {
        dns.mx("example.test", 10, "alias-of-me.example.test").a("alias-of-me.example.test", "127.0.0.61");
        resolver = new DnsMailExchangerResolver(
                options(dns).withSelf(host -> false, address -> address.equals(address("127.0.0.61"))));

        Failure failure = (Failure) resolve(resolver, "example.test");

        assertFailure(failure, DeliveryStatus.PERMANENT, "5.4.6");
        // Asked again within the second a domain's exchangers are reused: still the loop, never exchangers.
        assertFailure((Failure) resolve(resolver, "example.test"), DeliveryStatus.PERMANENT, "5.4.6");
    }

    @Test
    void boundsHostsAndAddresses() throws Exception {
        for (int i = 1; i <= 4; i++) {
            dns.mx("example.test", i, "mx" + i + ".example.test");
            for (int j = 1; j <= 4; j++) {
                dns.a("mx" + i + ".example.test", "127.0." + i + "." + j);
            }
        }
        resolver = new DnsMailExchangerResolver(options(dns).withLimits(2, 3));

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers())
                .extracting(MailExchanger::host)
                .containsExactly("mx1.example.test", "mx2.example.test");
        assertThat(found.exchangers())
                .allSatisfy(mx -> assertThat(mx.addresses()).hasSize(3));
        // Hosts past the limit are not even looked up.
        assertThat(dns.queryCount("mx3.example.test", "A")).isZero();
    }

    /**
     * RFC 5321 5.1: the hosts are tried in order until one takes the mail. Stale MX records with no address ahead of a
     * working one do not use up delivery.max-mx-hosts, which counts hosts that can be tried; the lookups stay bounded.
     */
    @Test
    void hostsWithoutAnAddressDoNotUseUpTheLimit() throws Exception {
        for (int i = 0; i < 5; i++) {
            dns.mx("example.test", 10, "gone" + i + ".example.test");
        }
        dns.mx("example.test", 20, "mx.example.test").a("mx.example.test", "127.0.0.31");
        for (int i = 0; i < 40; i++) {
            dns.mx("many.test", 10, "gone" + i + ".many.test");
        }
        resolver = new DnsMailExchangerResolver(options(dns).withLimits(2, 3));

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("mx.example.test");
        assertFailure((Failure) resolve(resolver, "many.test"), DeliveryStatus.PERMANENT, "5.4.4");
        long looked = 0;
        for (int i = 0; i < 40; i++) {
            looked += dns.queryCount("gone" + i + ".many.test", "A");
        }
        assertThat(looked)
                .as("lookups bounded by the limit")
                .isEqualTo(2L * DnsMailExchangerResolver.MAX_LOOKUPS_PER_HOST);
    }

    /** RFC 5321 5.1: equal preferences in random order, so every one of them is used when the limit cuts the list. */
    @Test
    void everyHostOfEqualPreferenceGetsItsTurnPastTheLimit() throws Exception {
        for (int i = 0; i < 10; i++) {
            dns.mx("example.test", 10, "h" + i + ".example.test").a("h" + i + ".example.test", "127.0.1." + (i + 1));
        }
        Set<String> seen = new HashSet<>();
        for (int round = 0; round < 60 && seen.size() < 10; round++) {
            resolver = new DnsMailExchangerResolver(options(dns).withLimits(2, 3)); // nothing held from the last round
            Exchangers found = (Exchangers) resolve(resolver, "example.test");
            assertThat(found.exchangers()).hasSize(2);
            found.exchangers().forEach(mx -> seen.add(mx.host()));
        }
        assertThat(seen).hasSize(10);
    }

    /**
     * A forger that answers every try ahead of the server, once with another id and once with the question's id about
     * another name, delays nothing: its datagrams are dropped and the wait goes on (RFC 5452 9.1), so each question
     * is asked once.
     */
    @Test
    void repliesForgedAheadOfEveryAnswerAreDropped() throws Exception {
        dns.mx("example.test", 10, "mx.example.test")
                .a("mx.example.test", "127.0.0.31")
                .forgedRepliesFirst("example.test")
                .forgedRepliesFirst("mx.example.test");

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers()).extracting(MailExchanger::host).containsExactly("mx.example.test");
        assertThat(found.exchangers().getFirst().addresses()).containsExactly(address("127.0.0.31"));
        assertThat(dns.queryCount("example.test", "MX")).isEqualTo(1);
        assertThat(dns.queryCount("mx.example.test", "A")).isEqualTo(1);
    }

    @Test
    void ordersAddressFamiliesAsConfigured() throws Exception {
        dns.mx("example.test", 10, "mx.example.test")
                .a("mx.example.test", "127.0.0.71")
                .aaaa("mx.example.test", "::1");
        resolver =
                new DnsMailExchangerResolver(options(dns).withAddressOrder(MxResolverOptions.AddressOrder.IPV6_FIRST));

        Exchangers found = (Exchangers) resolve(resolver, "example.test");

        assertThat(found.exchangers().getFirst().addresses()).containsExactly(address("::1"), address("127.0.0.71"));
    }

    static void assertFailure(Failure failure, DeliveryStatus status, String enhanced) {
        assertThat(failure.status()).isEqualTo(status);
        assertThat(failure.enhancedStatus()).isEqualTo(EnhancedStatus.parse(enhanced));
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByAddress(org.xbill.DNS.Address.toByteArray(literal, literal.contains(":") ? 2 : 1));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

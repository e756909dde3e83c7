package dev.tern.relay.dns;

import dev.tern.relay.dns.DnsLookups.Answer;
import dev.tern.relay.dns.DnsLookups.Kind;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * The addresses of one host (A and/or AAAA, RFC 5321 5.1 "the SMTP client ... looks up the
 * addresses"), with whether some lookup failed only for now.
 *
 * @param addresses in the configured family order, at most {@code maxAddressesPerHost}
 * @param temporaryFailure true when a lookup hit SERVFAIL or a timeout
 * @param reason the last failure, for diagnostics
 * @param ttlSeconds the smallest TTL of the address records found ({@link Long#MAX_VALUE} when none)
 * @param onlyUnusable the host has address records, but only of addresses no host has ({@link #unusable})
 */
record HostAddresses(
        List<InetAddress> addresses, boolean temporaryFailure, String reason, long ttlSeconds, boolean onlyUnusable) {

    /** Looks up {@code host}'s addresses in the families of {@code options}, in parallel. */
    static CompletionStage<HostAddresses> lookup(DnsLookups dns, Name host, MxResolverOptions options) {
        List<Integer> types =
                switch (options.addressOrder()) {
                    case IPV4_ONLY -> List.of(Type.A);
                    case IPV6_ONLY -> List.of(Type.AAAA);
                    case IPV4_FIRST -> List.of(Type.A, Type.AAAA);
                    case IPV6_FIRST -> List.of(Type.AAAA, Type.A);
                };
        List<CompletableFuture<Answer>> answers = types.stream()
                .map(type -> dns.lookup(host, type).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .thenApply(ignored ->
                        combine(answers.stream().map(CompletableFuture::join).toList(), options));
    }

    /**
     * Whether a failure's reason replaces the one kept: a failure for now (SERVFAIL, a timeout) wins over one that
     * is final, since a deferral is what the reason will explain; otherwise the later one.
     */
    static boolean explainsBetter(boolean failedForNow, boolean keptFailedForNow) {
        return failedForNow || !keptFailedForNow;
    }

    /**
     * An address no host has: 0.0.0.0/8 ("this host on this network", RFC 1122 3.2.1.3; a sinkholed name's answer)
     * and {@code ::}. Never dialled: a connection to 0.0.0.0 or {@code ::} would reach this very host. A host with
     * such an address is tried at its others, or left out like a host without an address.
     */
    static boolean unusable(InetAddress address) {
        return address.isAnyLocalAddress() || address instanceof Inet4Address && address.getAddress()[0] == 0;
    }

    private static HostAddresses combine(List<Answer> answers, MxResolverOptions options) {
        List<InetAddress> addresses = new ArrayList<>();
        InetAddress skipped = null;
        boolean temporary = false;
        String reason = "";
        long ttl = Long.MAX_VALUE;
        for (Answer answer : answers) {
            if (answer.kind() != Kind.RECORDS && explainsBetter(answer.kind() == Kind.TEMPORARY, temporary)) {
                reason = answer.reason();
            }
            if (answer.kind() == Kind.TEMPORARY) {
                temporary = true;
            }
            for (Record record : answer.records()) {
                ttl = Math.min(ttl, record.getTTL());
                InetAddress address =
                        switch (record) {
                            case ARecord a -> a.getAddress();
                            case AAAARecord aaaa -> aaaa.getAddress();
                            default -> null;
                        };
                if (address != null && unusable(address)) {
                    skipped = skipped == null ? address : skipped;
                } else if (address != null && !addresses.contains(address)) {
                    addresses.add(address);
                }
            }
        }
        boolean onlyUnusable = addresses.isEmpty() && skipped != null && !temporary;
        if (onlyUnusable) {
            reason = "its only address, " + skipped.getHostAddress() + ", is no host's";
        }
        List<InetAddress> bounded = addresses.subList(0, Math.min(addresses.size(), options.maxAddressesPerHost()));
        return new HostAddresses(List.copyOf(bounded), temporary, reason, ttl, onlyUnusable);
    }
}

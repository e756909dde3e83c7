package dev.tern.relay.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

/**
 * One asynchronous question to DNS through a cached {@link LookupSession}, with the answer sorted
 * into the three outcomes that matter for mail routing.
 */
final class DnsLookups {

    /** What one question produced. */
    enum Kind {
        /** NOERROR with records of the asked type. */
        RECORDS,
        /** NOERROR with no record of the asked type (RFC 2308 2.2). */
        NODATA,
        /** The name does not exist (RFC 2308 2.1). */
        NXDOMAIN,
        /** SERVFAIL, timeout, or anything else worth asking again later. */
        TEMPORARY
    }

    record Answer(Kind kind, List<Record> records, String reason) {
        static Answer of(Kind kind, String reason) {
            return new Answer(kind, List.of(), reason);
        }
    }

    private final LookupSession session;
    private final String servers;

    DnsLookups(MxResolverOptions options) {
        // Bounded LRU cache; entries expire with their TTL, negative answers with the SOA's (RFC 2308 5).
        Cache cache = new Cache(DClass.IN);
        cache.setMaxEntries(options.cacheMaxEntries());
        List<InetSocketAddress> servers = servers(options);
        this.servers = servers.stream()
                .map(s -> s.getAddress().getHostAddress() + ":" + s.getPort())
                .collect(Collectors.joining(", "));
        this.session = LookupSession.builder()
                .resolver(resolver(servers, options))
                .cache(cache)
                .clearSearchPath()
                .executor(options.executor())
                .build();
    }

    /** Asks for {@code type} records of the absolute {@code name}; the stage never fails. */
    CompletionStage<Answer> lookup(Name name, int type) {
        return session.lookupAsync(name, type).handle((result, error) -> {
            if (error == null) {
                List<Record> records = result.getRecords().stream()
                        .filter(r -> r.getType() == type)
                        .toList();
                return records.isEmpty()
                        ? Answer.of(Kind.NODATA, Type.string(type) + " " + name + ": no records")
                        : new Answer(Kind.RECORDS, records, "");
            }
            Throwable cause = unwrap(error);
            String what = Type.string(type) + " " + name + ": ";
            if (cause instanceof NoSuchDomainException) {
                return Answer.of(Kind.NXDOMAIN, what + "no such domain (NXDOMAIN)");
            }
            if (cause instanceof NoSuchRRSetException) {
                // A negative answer served from the cache.
                return Answer.of(Kind.NODATA, what + "no records");
            }
            return Answer.of(Kind.TEMPORARY, what + describe(cause));
        });
    }

    /** The servers every question goes to, in the order they are asked, for log lines. */
    String servers() {
        return servers;
    }

    static List<InetSocketAddress> servers(MxResolverOptions options) {
        return options.servers().isEmpty() ? ResolverConfig.getCurrentConfig().servers() : options.servers();
    }

    static Resolver resolver(List<InetSocketAddress> servers, MxResolverOptions options) {
        List<Resolver> simple = servers.stream()
                .map(server -> {
                    SimpleResolver resolver = new SimpleResolver(server);
                    resolver.setTimeout(options.timeout());
                    return (Resolver) resolver;
                })
                .toList();
        ExtendedResolver resolver = new ExtendedResolver(simple);
        // ExtendedResolver counts attempts per server, the first one included.
        int attempts = options.retries() + 1;
        resolver.setRetries(attempts);
        // Its own timeout bounds the whole question: every attempt on every server, plus slack.
        resolver.setTimeout(
                options.timeout().multipliedBy((long) attempts * simple.size()).plusSeconds(1));
        return resolver;
    }

    static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    static String describe(Throwable cause) {
        if (cause instanceof ServerFailedException) {
            return "server failure (SERVFAIL)";
        }
        if (cause instanceof SocketTimeoutException
                || cause instanceof TimeoutException
                // dnsjava's ExtendedResolver reports its last attempt timing out as a bare IOException.
                || cause instanceof IOException
                        && String.valueOf(cause.getMessage()).startsWith("Timed out")) {
            return "timed out";
        }
        String simple = cause.getClass().getSimpleName();
        return cause.getMessage() == null ? simple : simple + ": " + cause.getMessage();
    }
}

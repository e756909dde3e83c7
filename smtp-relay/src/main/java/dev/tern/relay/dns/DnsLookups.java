package dev.tern.relay.dns;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.xbill.DNS.Cache;
import org.xbill.DNS.Credibility;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SetResponse;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.io.IoClientFactory;
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
    private final Cache cache;
    private final String servers;

    DnsLookups(MxResolverOptions options) {
        // Bounded LRU cache; entries expire with their TTL, negative answers with the SOA's (RFC 2308 5).
        this.cache = new Cache(DClass.IN);
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

    /**
     * Asks for {@code type} records of the absolute {@code name}; the stage never fails. An answer the cache
     * holds (within its TTL, or a negative one within its SOA's, RFC 2308 5) is given at once, as the
     * session would give it but without the exception it makes of a negative answer on every question;
     * anything else (not cached, a CNAME to follow) goes to the session.
     */
    CompletionStage<Answer> lookup(Name name, int type) {
        Answer cached = cached(name, type);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return session.lookupAsync(name, type).handle((result, error) -> {
            if (error == null) {
                return records(name, type, result.getRecords());
            }
            Throwable cause = unwrap(error);
            if (cause instanceof NoSuchDomainException) {
                return nxdomain(name, type);
            }
            if (cause instanceof NoSuchRRSetException) {
                // A negative answer served from the cache.
                return nodata(name, type);
            }
            return Answer.of(Kind.TEMPORARY, Type.string(type) + " " + name + ": " + describe(cause));
        });
    }

    /** The cache's answer, as credible as the session asks for (RFC 2181 5.4.1), or null. */
    private Answer cached(Name name, int type) {
        SetResponse held = cache.lookupRecords(name, type, Credibility.NORMAL);
        if (held.isNXDOMAIN()) {
            return nxdomain(name, type);
        }
        if (held.isNXRRSET()) {
            return nodata(name, type);
        }
        if (!held.isSuccessful()) {
            return null;
        }
        List<Record> records = new ArrayList<>();
        for (RRset set : held.answers()) {
            records.addAll(set.rrs(false));
        }
        Answer answer = records(name, type, records);
        return answer.kind() == Kind.RECORDS ? answer : null;
    }

    private static Answer records(Name name, int type, List<Record> all) {
        List<Record> records = all.stream().filter(r -> r.getType() == type).toList();
        return records.isEmpty() ? nodata(name, type) : new Answer(Kind.RECORDS, records, "");
    }

    private static Answer nodata(Name name, int type) {
        return Answer.of(Kind.NODATA, Type.string(type) + " " + name + ": no records");
    }

    private static Answer nxdomain(Name name, int type) {
        return Answer.of(Kind.NXDOMAIN, Type.string(type) + " " + name + ": no such domain (NXDOMAIN)");
    }

    /** The servers every question goes to, in the order they are asked, for log lines. */
    String servers() {
        return servers;
    }

    static List<InetSocketAddress> servers(MxResolverOptions options) {
        return options.servers().isEmpty() ? ResolverConfig.getCurrentConfig().servers() : options.servers();
    }

    static Resolver resolver(List<InetSocketAddress> servers, MxResolverOptions options) {
        IoClientFactory udp = ListeningUdpClient.factory(options.executor());
        List<Resolver> simple = servers.stream()
                .map(server -> {
                    SimpleResolver resolver = new SimpleResolver(server);
                    resolver.setTimeout(options.timeout());
                    // A datagram that does not answer the question is dropped and the wait goes on (RFC 5452 9.1).
                    resolver.setIoClientFactory(udp);
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
        String message = String.valueOf(cause.getMessage());
        // dnsjava's words for an answer code it has no exception of its own for (REFUSED, NOTIMP, FORMERR, ...).
        int code = message.indexOf(UNKNOWN_RCODE);
        if (code >= 0) {
            String rcode = message.substring(code + UNKNOWN_RCODE.length()).trim();
            return switch (rcode) {
                case "REFUSED" -> "the server refused to answer (REFUSED)";
                case "NOTIMP" -> "the server does not answer such questions (NOTIMP)";
                case "FORMERR" -> "the server found the question malformed (FORMERR)";
                default -> "the server answered " + rcode;
            };
        }
        String simple = cause.getClass().getSimpleName();
        return cause.getMessage() == null ? simple : simple + ": " + cause.getMessage();
    }

    private static final String UNKNOWN_RCODE = "Unknown non-success error code";
}

package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rejected configuration names the key at fault. */
class ConfigValidationTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # typo in a key
            limits: {max-recipent: 5}                                   | unknown key 'limits.max-recipent'
            # unknown top-level key
            hostnme: x                                                  | unknown key 'hostnme'
            # unknown listener key
            listeners: {mx: {prot: 25}}                                 | unknown key 'listeners.mx.prot'
            # a listener's name is its index, not a key
            listeners: {mx: {name: other}}                              | unknown key 'listeners.mx.name'
            # wrong type: text for an integer
            limits: {max-recipients: lots}                              | key 'limits.max-recipients' must be an integer
            # numbers are plain decimal: YAML 1.1 reads a leading zero as octal, 0x as hexadecimal
            listeners: {mx: {port: 025}}                                | key 'listeners.mx.port' must be an integer in plain decimal (no leading 0, +, 0x, 0b or _), got '025'
            limits: {max-errors: 010}                                   | key 'limits.max-errors' must be an integer in plain decimal
            limits: {max-errors: 0x10}                                  | key 'limits.max-errors' must be an integer in plain decimal
            limits: {max-errors: 0b11}                                  | key 'limits.max-errors' must be an integer in plain decimal
            limits: {max-errors: 1_0}                                   | key 'limits.max-errors' must be an integer in plain decimal
            limits: {max-errors: +5}                                    | key 'limits.max-errors' must be an integer in plain decimal
            limits: {max-inflight-bytes: 010}                           | key 'limits.max-inflight-bytes' expected a size in plain decimal
            delivery: {shaping: {destinations: [{match: a.test, max-concurrency: 010}]}} | key 'delivery.shaping.destinations[0]' max-concurrency must be a whole number of at least 1, in plain decimal, got '010'
            # wrong type: mapping for a scalar
            hostname: {a: b}                                            | key 'hostname' must be a single value
            # wrong type: scalar for a section
            limits: 5                                                   | key 'limits' must be a mapping
            # bad size suffix
            limits: {max-message-size: 10MB}                            | key 'limits.max-message-size' expected a size
            # duration without a unit
            timeouts: {command: 300}                                    | key 'timeouts.command' expected a duration
            # zero duration
            timeouts: {data-block: 0s}                                  | key 'timeouts.data-block' must be longer than zero
            # a duration past a long's nanoseconds, whatever its key
            timeouts: {command: 200000d}                                | key 'timeouts.command' duration too large: '200000d'
            timeouts: {data-block: 200000d}                             | key 'timeouts.data-block' duration too large
            delivery: {queue-lifetime: 999999999999999999d}             | key 'delivery.queue-lifetime' duration too large
            # a wait is at most a day, any other period a year
            timeouts: {command-deadline: 25h}                           | key 'timeouts.command-deadline' must be at most 1d, got 25h
            timeouts: {tls-handshake: 2d}                               | key 'timeouts.tls-handshake' must be at most 1d
            delivery: {final-dot-timeout: 100000d}                      | key 'delivery.final-dot-timeout' must be at most 1d
            limits: {error-delay: 2d}                                   | key 'limits.error-delay' must be at most 1d
            shutdown-grace: 2d                                          | key 'shutdown-grace' must be at most 1d
            dns: {timeout: 2d}                                          | key 'dns.timeout' must be at most 1d
            delivery: {queue-lifetime: 366d}                            | key 'delivery.queue-lifetime' must be at most 365d
            rate-limits: {auth-failure-window: 366d}                    | key 'rate-limits.auth-failure-window' must be at most 365d
            # no wait at all for the reply to the final dot
            delivery: {final-dot-timeout: 0s}                           | key 'delivery.final-dot-timeout' must be longer than zero
            # port out of range
            listeners: {mx: {port: 70000}}                              | key 'listeners.mx.port' must be a port number
            # negative port
            management: {port: -2}                                      | key 'management.port' must be a port number
            listeners: {mx: {port: -1}}                                 | key 'listeners.mx.port' must be a port number 0..65535, got -1
            # listeners are a mapping from name to listener, not a list of names
            listeners: [a, b]                                           | key 'listeners' must be a mapping from listener name to listener
            listeners: mx                                               | key 'listeners' must be a mapping from listener name to listener
            # an alias is a copy of its anchor's value, and the key that holds the anchor is a key like any other
            {x: &a {port: 3625}, listeners: {mx: *a}}                   | unknown key 'x'
            # an empty path would be the working directory
            data-dir: ''                                                | key 'data-dir' must not be empty
            auth: {users-file: ' '}                                     | key 'auth.users-file' must not be empty
            spool: {directory: ''}                                      | key 'spool.directory' must not be empty
            management: {admin-token-file: ''}                          | key 'management.admin-token-file' must not be empty
            tls: {cert-file: '', key-file: k.pem}                       | key 'tls.cert-file' must not be empty
            delivery: {tls-trust-file: ''}                              | key 'delivery.tls-trust-file' must not be empty
            dns: {trust-anchor-file: ''}                                | key 'dns.trust-anchor-file' must not be empty
            # limits must be at least one
            limits: {max-errors: 0}                                     | key 'limits.max-errors' must be at least 1
            limits: {max-connections: 0}                                | key 'limits.max-connections' must be at least 1
            limits: {max-header-size: 0}                                | key 'limits.max-header-size' must be at least 1
            limits: {max-header-fields: 0}                              | key 'limits.max-header-fields' must be at least 1
            spool: {max-batch: 0}                                       | key 'spool.max-batch' must be at least 1
            spool: {commit-delay: 101ms}                                | key 'spool.commit-delay' must be at most 100ms
            # RFC 5321 4.5.3.1.6: no listener takes fewer than 1000 octets
            limits: {max-submission-line-length: 999}                   | key 'limits.max-submission-line-length' must be 1000..2147483647
            # negative data rate
            timeouts: {min-data-rate: -1}                               | key 'timeouts.min-data-rate'
            # certificate without key
            tls: {cert-file: c.pem}                                     | key 'tls.key-file' is required
            # key without certificate
            tls: {key-file: k.pem}                                      | key 'tls.cert-file' is required
            # two listeners on one port
            listeners: {mx: {port: 2587}}                               | key 'listeners.submission.port' duplicates the port of listener 'mx'
            # not a log level
            log-level: loud                                             | key 'log-level' must be one of error, warn, info, debug, trace, got 'loud'
            # the management listener on an SMTP listener's port
            management: {port: 2465}                                    | key 'management.port' duplicates the port of listener 'smtps'
            # a wildcard address clashes with a specific one
            listeners: {smtps: {address: 0.0.0.0, port: 2525}}          | key 'listeners.smtps.port' duplicates
            # new listener without a mode
            listeners: {extra: {port: 2600}}                            | key 'listeners.extra.mode' is required
            # new listener without a port
            listeners: {extra: {mode: mx}}                              | key 'listeners.extra.port' is required
            # unknown listener mode
            listeners: {mx: {mode: lmtp}}                               | key 'listeners.mx.mode' must be one of
            # not a network
            relay: {trusted-networks: [10.0.0.0/8, nonsense]}           | key 'relay.trusted-networks[1]' not an IP address
            # prefix too long
            relay: {trusted-networks: [10.0.0.0/33]}                    | key 'relay.trusted-networks[0]'
            # zero wait for a PROXY header
            timeouts: {proxy-header: 0s}                                | key 'timeouts.proxy-header' must be longer than zero
            # not a network among the load balancers
            listeners: {mx: {proxy-protocol-from: [balancer]}}          | key 'listeners.mx.proxy-protocol-from[0]' not an IP address
            # every address may claim any client address: anyone could pose as a trusted network
            listeners: {mx: {proxy-protocol-from: [0.0.0.0/0]}}         | key 'listeners.mx.proxy-protocol-from' must name the load balancers
            listeners: {smtps: {proxy-protocol-from: ["::/0"]}}         | key 'listeners.smtps.proxy-protocol-from' must name the load balancers
            # whitespace in hostname
            hostname: mail example                                      | key 'hostname' must be a domain name
            # a trailing dot: MX names are compared without one
            hostname: mx.example.org.                                   | key 'hostname' must not end with a dot
            # empty domain list entry
            local: {domains: ['']}                                      | key 'local.domains' must not be empty
            # a mailbox needs a domain
            local: {mailboxes: [alice]}                                 | key 'local.mailboxes'
            # a mailbox's folder is named after its local part and domain: no separators, no leading dot
            local: {mailboxes: ['a/b@localhost']}                       | key 'local.mailboxes' 'a/b' cannot name a mail folder
            local: {mailboxes: ['.x@localhost']}                        | key 'local.mailboxes' '.x' cannot name a mail folder
            local: {domains: ['..']}                                    | key 'local.domains' '..' cannot name a mail folder
            local: {aliases: {info: 'a/b'}}                            | key 'local.aliases' 'a/b' cannot name a mail folder
            local: {aliases: {info: '.x@localhost'}}                    | key 'local.aliases' '.x' cannot name a mail folder
            # the recipient delimiter cannot be the at sign
            local: {recipient-delimiter: '@'}                           | key 'local.recipient-delimiter' must be characters such as + or -
            # nor a dot, which belongs to dot-atoms
            local: {recipient-delimiter: '+.'}                          | key 'local.recipient-delimiter'
            # aliases that name each other
            local: {aliases: {a: b, b: a}}                              | key 'local.aliases' aliases loop
            # an alias for a domain that is not local
            local: {aliases: {a@elsewhere.test: b}}                     | key 'local.aliases' keys are a local part or an address of a local domain
            # an alias target without its domain part
            local: {aliases: {a: b@}}                                   | key 'local.aliases' not an address
            # postmaster mail goes to an address
            local: {postmaster: root}                                   | key 'local.postmaster' must be an address user@domain
            # with no local domain, postmaster mail needs somewhere to go
            local: {domains: []}                                        | key 'local.postmaster' is required when local.domains is empty
            # a domain is delivered here or passed on, not both
            relay: {domains: [localhost]}                               | key 'relay.domains' 'localhost' is also in local.domains
            # a relay recipient belongs to a relay domain
            relay: {domains: [relay.test], recipients: [bob@other.test]} | key 'relay.recipients' entries must be user@ a relay domain
            relay: {recipients: [bob]}                                  | key 'relay.recipients'
            # our own addresses are addresses, never names: a name would need the resolver to be read
            delivery: {self-addresses: [mx.example.org]}                | key 'delivery.self-addresses[0]' not an IP address
            # every address is ourselves: all mail for elsewhere would fail as a loop
            delivery: {self-addresses: [0.0.0.0/0]}                     | key 'delivery.self-addresses' must name this host's addresses
            # a local domain is delivered here, so a route for it would never be followed
            delivery: {routes: {localhost: smtp.example.net}}           | key 'delivery.routes.localhost' names a domain in local.domains
            # a destination starts with at least one connection
            delivery: {shaping: {initial-concurrency: 0}}               | key 'delivery.shaping.initial-concurrency' must be at least 1
            # a suspension has a length
            delivery: {shaping: {suspend-for: 0s}}                      | key 'delivery.shaping.suspend-for' must be longer than zero
            # TLS reports: a sender that is no address, a name that would break the report
            delivery: {tls-rpt: {from: not an address}}                 | key 'delivery.tls-rpt.from' must be an address
            delivery: {tls-rpt: {interval: 0s}}                         | key 'delivery.tls-rpt.interval' must be longer than zero
            delivery: {tls-rpt: {max-domains: 0}}                       | key 'delivery.tls-rpt.max-domains' must be at least 1
            delivery: {tls-rpt: {organization: "caf\u00e9"}}            | key 'delivery.tls-rpt.organization' must be printable ASCII
            # a reply pattern says something
            delivery: {shaping: {suspend-on: ['  ']}}                   | key 'delivery.shaping.suspend-on[0]' a reply pattern is
            # a rate has a unit the queue knows
            delivery: {shaping: {destinations: [{match: a.test, max-rate: 5/d}]}} | key 'delivery.shaping.destinations[0]' a rate's unit is s, m or h
            # an entry needs a match
            delivery: {shaping: {destinations: [{max-rate: 5/s}]}}      | key 'delivery.shaping.destinations[0]' an entry needs a match
            # unknown keys in an entry are refused, as everywhere
            delivery: {shaping: {destinations: [{match: a.test, rate: 5/s}]}} | key 'delivery.shaping.destinations[0]' unknown key 'rate'
            # '*' stands first only
            delivery: {shaping: {destinations: [{match: 'mx.*.test'}]}} | key 'delivery.shaping.destinations[0]' '*' only stands first
            # a concurrency is a whole number from 1
            delivery: {shaping: {destinations: [{match: a.test, max-concurrency: 0}]}} | key 'delivery.shaping.destinations[0]' max-concurrency must be a whole number of at least 1
            # a TLS policy is one of five words
            delivery: {tls-policy: {example.com: required}}              | key 'delivery.tls-policy.example.com' must be one of none, may, encrypt, verify, dane, got 'required'
            # a TLS policy key is a domain, or a dot and a domain
            delivery: {tls-policy: {"*.example.com": verify}}            | key 'delivery.tls-policy.*.example.com' must be a domain name
            # the trust file is read at start
            delivery: {tls-trust-file: /nonexistent/ca.pem}              | key 'delivery.tls-trust-file' cannot read /nonexistent/ca.pem
            # so is the DNSSEC trust anchor file
            dns: {trust-anchor-file: /nonexistent/root.key}              | key 'dns.trust-anchor-file' cannot read /nonexistent/root.key
            # DANE's lookups are bounded
            delivery: {dane: {timeout: 0s}}                              | key 'delivery.dane.timeout' must be longer than zero
            # null for a non-path value
            hostname: ~                                                 | key 'hostname' must have a value
            # no listeners at all
            listeners: {mx: ~, submission: ~, smtps: ~}                 | key 'listeners' must name at least one listener
            """)
    void rejectsBadValueNamingItsKey(String yaml, String message) {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }
}

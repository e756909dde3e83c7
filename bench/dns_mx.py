#!/usr/bin/env python3
"""A minimal authoritative DNS responder for the relay benchmark, used when dnsmasq is not installed.

    dns_mx.py PORT DOMAIN ADDRESS

Answers on 127.0.0.1:PORT (UDP) for one zone: DOMAIN has one MX, "10 mx.DOMAIN", and mx.DOMAIN has the
A record ADDRESS, both with a TTL of 60 s. Other types of those names get an empty answer (NODATA),
other names in the zone NXDOMAIN, both with the zone's SOA (minimum 60 s) so that a resolver may cache
them (RFC 2308 3), as a real zone's answers are; names outside it REFUSED. Runs until killed; prints
"ready" once bound.
"""
import socket
import struct
import sys

MX, A, SOA = 15, 1, 6


def labels(name):
    return b"".join(bytes([len(p)]) + p.encode("ascii") for p in name.split(".") if p) + b"\0"


def parse_question(packet):
    pos, parts = 12, []
    while packet[pos]:
        n = packet[pos]
        parts.append(packet[pos + 1 : pos + 1 + n].decode("ascii", "replace").lower())
        pos += 1 + n
    qtype, _qclass = struct.unpack("!HH", packet[pos + 1 : pos + 5])
    return ".".join(parts), qtype, pos + 5


def answer(packet, domain, address):
    ident, flags, qdcount = struct.unpack("!HHH", packet[:6])
    if flags & 0x8000 or qdcount != 1:
        return None
    name, qtype, end = parse_question(packet)
    question = packet[12:end]
    mx_host = "mx." + domain
    records = []
    authority = []
    rcode = 0
    if name == domain and qtype == MX:
        rdata = struct.pack("!H", 10) + labels(mx_host)
        records.append(struct.pack("!HHIH", MX, 1, 60, len(rdata)) + rdata)
    elif name == mx_host and qtype == A:
        rdata = socket.inet_aton(address)
        records.append(struct.pack("!HHIH", A, 1, 60, len(rdata)) + rdata)
    elif name != domain and not name.endswith("." + domain):
        rcode = 5  # REFUSED: not our zone
    else:
        if name not in (domain, mx_host):
            rcode = 3  # NXDOMAIN
        # RFC 2308 3: the zone's SOA, whose minimum is the negative answer's TTL.
        rdata = labels(domain) + labels("hostmaster." + domain) + struct.pack("!IIIII", 1, 1200, 180, 1209600, 60)
        authority.append(labels(domain) + struct.pack("!HHIH", SOA, 1, 60, len(rdata)) + rdata)
    # QR, AA, and RD copied from the query.
    header = struct.pack(
        "!HHHHHH", ident, 0x8400 | (flags & 0x0100) | rcode, 1, len(records), len(authority), 0)
    # Each answer names the question's name through a pointer to offset 12.
    return header + question + b"".join(b"\xc0\x0c" + r for r in records) + b"".join(authority)


def main():
    port, domain, address = int(sys.argv[1]), sys.argv[2].lower().rstrip("."), sys.argv[3]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    print("ready", flush=True)
    while True:
        packet, peer = sock.recvfrom(512)
        try:
            reply = answer(packet, domain, address)
        except (IndexError, struct.error, UnicodeError):
            reply = None
        if reply:
            sock.sendto(reply, peer)


if __name__ == "__main__":
    main()

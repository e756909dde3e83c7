# Verifies every DKIM-Signature of a message with dkimpy (Debian's python3-dkim), asking for the key
# records the in-test DNS responder on 127.0.0.1 serves. Usage: dkim_verify.py MESSAGE-FILE DNS-PORT
# Prints one line per signature; exits 0 only if there is at least one and every one verifies.
import sys

import dkim
import dns.resolver

message = open(sys.argv[1], 'rb').read()
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ['127.0.0.1']
resolver.port = int(sys.argv[2])
resolver.use_edns(0, 0, 4096)
resolver.lifetime = 5


def txt(name, timeout=5):
    name = name.decode('ascii') if isinstance(name, bytes) else name
    try:
        answer = resolver.resolve(name, 'TXT')
    except Exception as e:
        print('dns', name, e)
        return None
    for record in answer:
        return b''.join(record.strings)
    return None


checker = dkim.DKIM(message)
signatures = [value for name, value in checker.headers if name.lower() == b'dkim-signature']
print('signatures', len(signatures))
ok = len(signatures) > 0
for i, value in enumerate(signatures):
    tags = dkim.util.parse_tag_value(b''.join(value.split()))
    passed = checker.verify(idx=i, dnsfunc=txt)
    print(i, 'pass' if passed else 'fail', tags[b'a'].decode(), tags[b'd'].decode(), tags[b's'].decode())
    ok = ok and passed
sys.exit(0 if ok else 1)

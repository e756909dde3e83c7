#!/usr/bin/python3
"""aiosmtpd as a receiving MTA for interop/run.sh: aio_sink.py ADDRESS PORT DIR CERT KEY

Takes mail for any recipient on ADDRESS:PORT, offers STARTTLS with CERT/KEY, refuses recipients whose
local part is "nobody" with 550 5.1.1, and writes each message to DIR/<n>.eml with the envelope in
DIR/<n>.env (each written in DIR/tmp/ first and renamed, as Maildir does). Prints "ready" once
listening; runs until killed.
"""
import itertools
import os
import pathlib
import signal
import ssl
import sys

from aiosmtpd.controller import Controller

address, port, directory, cert, key = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3]), sys.argv[4], sys.argv[5]
counter = itertools.count(1)
(directory / "tmp").mkdir(parents=True, exist_ok=True)


def write(path, data):
    partial = path.parent / "tmp" / path.name
    partial.write_bytes(data)
    os.replace(partial, path)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("nobody@"):
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        n = next(counter)
        # Written in tmp/ and renamed, as Maildir does, so a reader never sees half a file.
        write(directory / f"{n}.eml", envelope.original_content)
        write(directory / f"{n}.env", (
            f"from={envelope.mail_from} to={','.join(envelope.rcpt_tos)} tls={session.ssl is not None}\n").encode())
        return "250 2.0.0 stored as %d" % n


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(Handler(), hostname=address, port=port, tls_context=context,
                        require_starttls=False, server_hostname="aio.test", decode_data=False,
                        data_size_limit=40 * 1024 * 1024)
controller.start()
print("ready", flush=True)
signal.sigwait([signal.SIGTERM, signal.SIGINT])
controller.stop()

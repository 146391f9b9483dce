"""An SMTP server with TLS and AUTH for the tests (aiosmtpd, installed by tests/run.sh).

Usage: smtp_tls_sink.py DIR PORT CERT KEY (starttls|tls) USER PASSWORD
Accepts mail only over TLS and after AUTH with USER/PASSWORD; writes N.json per message
({"tls": ..., "login": ..., "subject": ...}). Prints "ready" once listening.
"""
import email
import email.policy
import json
import os
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

out_dir, port, cert, key, mode, user, password = sys.argv[1:8]
os.makedirs(out_dir, exist_ok=True)
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
        and auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Handler:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with open(os.path.join(out_dir, f"{Handler.count}.json"), "w") as f:
            json.dump({
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "login": (session.auth_data.login.decode() if session.authenticated else None),
                "subject": str(msg["Subject"]),
                "rcpttos": envelope.rcpt_tos,
            }, f)
        return "250 OK"


kwargs = dict(
    hostname="127.0.0.1",
    port=int(port),
    authenticator=authenticator,
    auth_required=True,
    # Implicit TLS is TLS from the first byte; aiosmtpd only tracks STARTTLS for this check.
    auth_require_tls=(mode == "starttls"),
)
if mode == "starttls":
    controller = Controller(Handler(), tls_context=ctx, require_starttls=True, **kwargs)
else:
    controller = Controller(Handler(), ssl_context=ctx, **kwargs)
controller.start()
print("ready", flush=True)
while True:
    time.sleep(3600)

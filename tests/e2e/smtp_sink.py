"""A real SMTP server for the tests (Python's smtpd): stores every message it accepts, or refuses them all.

Usage: smtp_sink.py DIR [refuse]. Prints the port it listens on, then serves until killed.
For each accepted message it writes N.eml (as received) and N.json: the headers and MIME parts as
a mail client reads them, and N.html: the HTML part with its cid: images inlined as data: URIs.
"""
import asyncore
import base64
import email
import email.policy
import json
import os
import sys
import warnings

warnings.simplefilter("ignore", DeprecationWarning)
import smtpd  # noqa: E402  (Python 3.11 still ships it)

out_dir = sys.argv[1]
refuse = len(sys.argv) > 2 and sys.argv[2] == "refuse"


class Sink(smtpd.SMTPServer):
    count = 0

    def process_message(self, peer, mailfrom, rcpttos, data, **kwargs):
        if refuse:
            return "554 5.7.1 refused by the test server"
        Sink.count += 1
        n = Sink.count
        with open(os.path.join(out_dir, f"{n}.eml"), "wb") as f:
            f.write(data)
        msg = email.message_from_bytes(data, policy=email.policy.default)
        parts, html, images = [], "", {}
        for p in msg.walk():
            parts.append(p.get_content_type())
            if p.get_content_type() == "text/html":
                html = p.get_content()
            if p.get_content_maintype() == "image":
                cid = (p.get("Content-ID") or "").strip("<>")
                images[cid] = base64.b64encode(p.get_payload(decode=True)).decode()
        text = msg.get_body(preferencelist=("plain",))
        resolved = html
        for cid, b64 in images.items():
            resolved = resolved.replace(f"cid:{cid}", f"data:image/png;base64,{b64}")
        with open(os.path.join(out_dir, f"{n}.html"), "w") as f:
            f.write(resolved)
        summary = {
            "mailfrom": mailfrom,
            "rcpttos": rcpttos,
            "subject": str(msg["Subject"]),
            "date": str(msg["Date"]),
            "from": str(msg["From"]),
            "to": str(msg["To"]),
            "top": msg.get_content_type(),
            "parts": parts,
            "text": text.get_content() if text else "",
            "cids": sorted(images),
            "html_cids": sorted(c for c in images if f"cid:{c}" in html),
        }
        with open(os.path.join(out_dir, f"{n}.json"), "w") as f:
            json.dump(summary, f)
        return None


server = Sink(("127.0.0.1", 0), None, decode_data=False)
print(server.socket.getsockname()[1], flush=True)
asyncore.loop()

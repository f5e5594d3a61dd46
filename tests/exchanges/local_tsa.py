"""A throwaway RFC 3161 time-stamping authority on 127.0.0.1 for the tests.

``openssl`` makes a CA and a TSA certificate (extendedKeyUsage timeStamping) in a temp
folder, and a small HTTP server answers each POSTed TimeStampReq with ``openssl ts
-reply``: the same bytes a real TSA sends, signed by a key the test controls.
"""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CONFIG = """
[ req ]
distinguished_name = dn
[ dn ]
[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = {dir}
serial = {dir}/tsaserial
crypto_device = builtin
signer_cert = {dir}/tsa.pem
certs = {dir}/ca.pem
signer_key = {dir}/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.5
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
[ ca_ext ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[ tsa_ext ]
basicConstraints = CA:FALSE
extendedKeyUsage = critical,timeStamping
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_authority(folder: Path, name: str = "Test TSA") -> Path:
    """CA + TSA certificates and the ``openssl ts`` config in ``folder``; returns the config."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "tsa.cnf"
    config.write_text(CONFIG.format(dir=folder))
    (folder / "tsaserial").write_text("01\n")
    openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
        "ca.pem", "-days", "30", "-subj", f"/CN={name} CA", "-config", str(config),
        "-extensions", "ca_ext", cwd=folder,
    )  # fmt: skip
    openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
        "-subj", f"/CN={name}", "-config", str(config), cwd=folder,
    )  # fmt: skip
    openssl(
        "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.pem", "-days", "30", "-extfile", str(config),
        "-extensions", "tsa_ext", cwd=folder,
    )  # fmt: skip
    return config


class LocalTSA:
    """``url`` answers time-stamp queries; ``ca`` is the CA certificate to trust."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.config = make_authority(folder)
        self.ca = folder / "ca.pem"
        self.requests = 0
        self._lock = threading.Lock()
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with tsa._lock:
                    tsa.requests += 1
                    query, reply = tsa.folder / "q.tsq", tsa.folder / "r.tsr"
                    query.write_bytes(body)
                    openssl(
                        "ts", "-reply", "-config", str(tsa.config), "-queryfile", str(query),
                        "-out", str(reply), cwd=tsa.folder,
                    )  # fmt: skip
                    data = reply.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsr"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

"""Drives the stand-ins' client-go request (playstandin/kubeconfig.py Kubeconfig.request) for
test/standins/get-retry.test.ts against a TLS server on loopback that closes its first CLOSES
connections before answering (as haproxy in TCP mode does when no apiserver took the connection)
and answers 200 after that (PYTHONPATH: the stand-ins' src).

  get_retry_driver.py METHOD CLOSES
      prints {"status": 200 | null, "error": "..." | null, "connections": N}
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import sys
import tempfile
import threading

from playstandin import httpclient, kubeconfig, pki


def self_signed(folder: str) -> tuple:
    """A throwaway server certificate: the stand-ins' own CA maker (the client does not verify it)."""
    cert, key = os.path.join(folder, "c.pem"), os.path.join(folder, "k.pem")
    pki.generate_keys([key], "ECDSA-P256")
    pki.create_ca(key, cert, "127.0.0.1")
    return cert, key


def serve(listener: socket.socket, closes: int, context: ssl.SSLContext, seen: list) -> None:
    while True:
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        seen.append(1)
        if len(seen) <= closes:
            raw.close()
            continue
        with context.wrap_socket(raw, server_side=True) as tls:
            tls.recv(65536)
            body = b'{"kind":"Status","status":"Success"}'
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))


def main() -> None:
    method, closes = sys.argv[1], int(sys.argv[2])
    kubeconfig.GET_RETRY_AFTER_S = 0.05   # the real wait is 1 s; the count of tries is what is checked
    with tempfile.TemporaryDirectory(prefix="play-get-retry-") as folder:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*self_signed(folder))
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        seen: list = []
        threading.Thread(target=serve, args=(listener, closes, context, seen), daemon=True).start()
        client = kubeconfig.Kubeconfig(f"https://127.0.0.1:{listener.getsockname()[1]}", None, True, None, None, None, "")
        status, error = None, None
        try:
            status = client.request("/api/v1/nodes/master2", method, body={} if method != "GET" else None).status
        except httpclient.TransportError as exc:
            error = exc.wrapped(method.capitalize())
        listener.close()
        print(json.dumps({"status": status, "error": error, "connections": len(seen)}))


if __name__ == "__main__":
    main()

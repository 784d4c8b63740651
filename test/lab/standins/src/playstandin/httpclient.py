"""HTTPS requests to the API server stand-in, failing with the words Go programs use.

kubectl and kubeadm print Go's net/http and crypto/x509 errors ("dial tcp ...: connect:
connection refused", "x509: certificate signed by unknown authority"); callers match on
them, so the transport errors are translated into the same text.
"""

from __future__ import annotations

import contextlib
import errno
import http.client
import ipaddress
import json
import os
import socket
import ssl
import tempfile
from urllib.parse import urlsplit

from . import pki

DIAL_TIMEOUT = 10.0


class TransportError(Exception):
    """The request never got an HTTP answer. kind: refused|timeout|unreachable|dns|tls|eof."""

    def __init__(self, kind: str, message: str, url: str):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.url = url

    def wrapped(self, method: str = "Get") -> str:
        """Go's *url.Error text: Get "https://...": dial tcp ..."""
        return f'{method} "{self.url}": {self.message}'


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body or b"null")


def split_server(server: str) -> tuple:
    """'https://host:port' -> (host, port, 'host:port')."""
    parts = urlsplit(server if "://" in server else f"https://{server}")
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return host, port, hostport


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


@contextlib.contextmanager
def _client_cert_files(cert_pem: bytes | None, key_pem: bytes | None):
    """ssl wants files for a client certificate: write embedded data to a private temp dir."""
    if not cert_pem:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="standin-tls-") as folder:
        cert_path, key_path = os.path.join(folder, "c.pem"), os.path.join(folder, "k.pem")
        for path, data in ((cert_path, cert_pem), (key_path, key_pem or cert_pem)):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
            os.write(fd, data)
            os.close(fd)
        yield cert_path, key_path


def _tls_context(ca_pem: bytes | None, insecure: bool, client_files) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if insecure or not ca_pem:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context.load_verify_locations(cadata=ca_pem.decode())
    if client_files:
        context.load_cert_chain(*client_files)
    return context


def _name_mismatch_message(host: str, port: int) -> str:
    """x509's 'certificate is valid for A, B, not C': needs the SANs of the served cert."""
    try:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        with socket.create_connection((host, port), timeout=DIAL_TIMEOUT) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                der = tls.getpeercert(binary_form=True)
        dns, ips = pki.cert_subject_alt_names(ssl.DER_cert_to_PEM_cert(der).encode())
        valid = ips if _is_ip(host) else dns
        return f"x509: certificate is valid for {', '.join(valid)}, not {host}"
    except Exception:  # the first failure is what matters; keep its gist
        return f"x509: certificate is not valid for {host}"


def _translate(exc: Exception, host: str, port: int, hostport: str) -> tuple:
    if isinstance(exc, ssl.SSLCertVerificationError):
        if exc.verify_code in (62, 64):  # X509_V_ERR_HOSTNAME_MISMATCH / IP_ADDRESS_MISMATCH
            return "tls", "tls: failed to verify certificate: " + _name_mismatch_message(host, port)
        return "tls", "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    if isinstance(exc, (ssl.SSLEOFError, ssl.SSLZeroReturnError, http.client.RemoteDisconnected,
                        ConnectionResetError, BrokenPipeError)):
        return "eof", "EOF"
    if isinstance(exc, ssl.SSLError):
        return "tls", f"remote error: tls: {exc.reason or 'handshake failure'}".lower()
    if isinstance(exc, socket.gaierror):
        return "dns", f"dial tcp: lookup {host}: no such host"
    if isinstance(exc, ConnectionRefusedError):
        return "refused", f"dial tcp {hostport}: connect: connection refused"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return "timeout", f"dial tcp {hostport}: i/o timeout"
    if isinstance(exc, OSError) and exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        words = "no route to host" if exc.errno == errno.EHOSTUNREACH else "network is unreachable"
        return "unreachable", f"dial tcp {hostport}: connect: {words}"
    return "eof", str(exc)


def request(server: str, path: str, method: str = "GET", *, ca_pem: bytes | None = None,
            insecure: bool = False, client_cert: bytes | None = None, client_key: bytes | None = None,
            bearer: str | None = None, body=None, timeout: float = DIAL_TIMEOUT) -> Response:
    """One HTTPS request. Raises TransportError when no HTTP answer came back."""
    host, port, hostport = split_server(server)
    url = f"https://{hostport}{path}"
    headers = {"Accept": "application/json", "User-Agent": "play-standin"}
    payload = None
    if body is not None:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    with _client_cert_files(client_cert, client_key) as files:
        context = _tls_context(ca_pem, insecure, files)
        connection = http.client.HTTPSConnection(host, port, context=context, timeout=timeout)
        try:
            connection.request(method, path, body=payload, headers=headers)
            answer = connection.getresponse()
            return Response(answer.status, dict(answer.getheaders()), answer.read())
        except (OSError, http.client.HTTPException) as exc:
            kind, message = _translate(exc, host, port, hostport)
            raise TransportError(kind, message, url) from None
        finally:
            connection.close()


def http_get(url: str, timeout: float = 2.0) -> int:
    """Plain-HTTP GET status (kubelet healthz); 0 when nothing answered."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        connection.request("GET", parts.path or "/")
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        connection.close()

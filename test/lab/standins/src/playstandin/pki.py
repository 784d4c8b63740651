"""Certificates and keys through the openssl CLI (Python's stdlib has no X.509 writer).

Same files, subjects, SANs and modes as kubeadm: keys 0600 (PKCS#1 "RSA PRIVATE KEY"
for RSA-2048, "EC PRIVATE KEY" for ECDSA-P256), certificates 0644, CAs valid 10 years
and leaves 1 year.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import ssl
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor

from . import paths
from .errors import StandinError

CA_DAYS = 3650
LEAF_DAYS = 365


def _openssl(args: list, data: bytes | None = None) -> bytes:
    result = subprocess.run(["openssl", *args], input=data, capture_output=True)
    if result.returncode != 0:
        raise StandinError(f"openssl {args[0]} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def new_key_pem(algorithm: str) -> bytes:
    if algorithm == "ECDSA-P256":
        return _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
    return _openssl(["genrsa", "-traditional", "2048"])


def generate_keys(key_paths: list, algorithm: str = "RSA-2048") -> None:
    """Generate several private keys at once: RSA key generation dominates kubeadm init."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        pems = list(pool.map(lambda _: new_key_pem(algorithm), key_paths))
    for path, pem in zip(key_paths, pems):
        paths.write_file(path, pem, 0o600)


def _subject(common_name: str, organizations=()) -> str:
    return "".join(f"/O={org}" for org in organizations) + f"/CN={common_name}"


def _with_extfile(lines: list, run):
    with tempfile.NamedTemporaryFile("w", suffix=".cnf", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
        name = handle.name
    try:
        return run(name)
    finally:
        os.remove(name)


def create_ca(key_path: str, cert_path: str, common_name: str) -> None:
    pem = _openssl(["req", "-x509", "-new", "-key", key_path, "-subj", _subject(common_name),
                    "-days", str(CA_DAYS), "-sha256",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
                    "-addext", "subjectKeyIdentifier=hash"])
    paths.write_file(cert_path, pem, 0o644)


def _usage_lines(usages: str, dns_names=(), ips=()) -> list:
    ext_usage = {"server": "serverAuth", "client": "clientAuth", "both": "serverAuth,clientAuth"}[usages]
    lines = ["basicConstraints=critical,CA:FALSE",
             "keyUsage=critical,digitalSignature,keyEncipherment",
             f"extendedKeyUsage={ext_usage}",
             "authorityKeyIdentifier=keyid"]
    alt = [f"DNS:{name}" for name in dns_names] + [f"IP:{ip}" for ip in ips]
    if alt:
        lines.append("subjectAltName=" + ",".join(alt))
    return lines


def sign_csr(ca_cert: str, ca_key: str, csr_pem: bytes, usages: str,
             dns_names=(), ips=(), days: int = LEAF_DAYS) -> bytes:
    serial = str(secrets.randbits(63))
    return _with_extfile(_usage_lines(usages, dns_names, ips), lambda ext: _openssl(
        ["x509", "-req", "-CA", ca_cert, "-CAkey", ca_key, "-set_serial", serial,
         "-days", str(days), "-sha256", "-extfile", ext], csr_pem))


def make_csr(key_path: str, common_name: str, organizations=()) -> bytes:
    return _openssl(["req", "-new", "-key", key_path, "-subj", _subject(common_name, organizations)])


def _csr_from_key_pem(key_pem: bytes, common_name: str, organizations=()) -> bytes:
    """A private key never goes on a command line: it is read from a 0600 temp file."""
    fd, name = tempfile.mkstemp(suffix=".key")
    try:
        os.write(fd, key_pem)
        os.close(fd)
        return make_csr(name, common_name, organizations)
    finally:
        os.remove(name)


def create_leaf(ca_cert: str, ca_key: str, key_path: str, cert_path: str, common_name: str,
                organizations=(), usages: str = "client", dns_names=(), ips=()) -> None:
    csr = make_csr(key_path, common_name, organizations)
    paths.write_file(cert_path, sign_csr(ca_cert, ca_key, csr, usages, dns_names, ips), 0o644)


def public_key_pem(key_path: str) -> bytes:
    return _openssl(["pkey", "-in", key_path, "-pubout"])


def spki_sha256(cert_pem: bytes) -> str:
    """sha256 of the certificate's SubjectPublicKeyInfo: kubeadm's CA pin."""
    pub = _openssl(["x509", "-pubkey", "-noout"], cert_pem)
    der = _openssl(["pkey", "-pubin", "-outform", "DER"], pub)
    return "sha256:" + hashlib.sha256(der).hexdigest()


def _subject_of(kind: str, pem: bytes) -> tuple:
    """(common name, [organizations]) of a CSR (kind "req") or a certificate ("x509")."""
    text = _openssl([kind, "-noout", "-subject", "-nameopt", "sep_multiline,sname"], pem).decode()
    common_name, orgs = "", []
    for line in text.splitlines()[1:]:
        key, _, value = line.strip().partition("=")
        if key == "CN":
            common_name = value
        elif key == "O":
            orgs.append(value)
    return common_name, orgs


def csr_subject(csr_pem: bytes) -> tuple:
    return _subject_of("req", csr_pem)


def cert_subject_alt_names(cert_pem: bytes) -> tuple:
    """(dns names, ip addresses) of a certificate, in the order they were written."""
    text = _openssl(["x509", "-noout", "-ext", "subjectAltName"], cert_pem).decode()
    dns, ips = [], []
    for line in text.splitlines()[1:]:
        for entry in line.split(","):
            kind, _, value = entry.strip().partition(":")
            if kind == "DNS":
                dns.append(value)
            elif kind == "IP Address":
                ips.append(value)
    return dns, ips


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# -- reading certificates back (renewal, expiry) -----------------------------------------
def key_algorithm(key_pem: bytes) -> str:
    """kubeadm's EncryptionAlgorithm of a key it wrote: EC keys are ECDSA-P256, the rest RSA-2048."""
    return "ECDSA-P256" if b"EC PRIVATE KEY" in key_pem else "RSA-2048"


def cert_not_after(cert_pem: bytes) -> float:
    """notAfter as epoch seconds."""
    text = _openssl(["x509", "-noout", "-enddate"], cert_pem).decode().strip()
    return float(ssl.cert_time_to_seconds(text.partition("=")[2]))


def cert_subject(cert_pem: bytes) -> tuple:
    return _subject_of("x509", cert_pem)


def cert_usage(cert_pem: bytes) -> str:
    """The extended key usage as sign_csr names it: server, client or both."""
    text = _openssl(["x509", "-noout", "-ext", "extendedKeyUsage"], cert_pem).decode()
    server, client = "Server Authentication" in text, "Client Authentication" in text
    return "both" if server and client else "server" if server else "client"


def resign(ca_cert: str, ca_key: str, cert_pem: bytes, key_pem: bytes, days: int = LEAF_DAYS) -> bytes:
    """A certificate with the subject, SANs and usages of cert_pem for key_pem, valid `days` from now:
    what kubeadm's renewal does with certToConfig (it also takes a new key; the caller decides)."""
    common_name, orgs = cert_subject(cert_pem)
    dns, ips = cert_subject_alt_names(cert_pem)
    csr = _csr_from_key_pem(key_pem, common_name, orgs)
    return sign_csr(ca_cert, ca_key, csr, cert_usage(cert_pem), dns, ips, days)

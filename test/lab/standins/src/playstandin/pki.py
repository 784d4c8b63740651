"""Certificates and keys through the openssl CLI (Python's stdlib has no X.509 writer).

Same files, subjects, SANs and modes as kubeadm: keys 0600 (PKCS#1 "RSA PRIVATE KEY"
for RSA-2048, "EC PRIVATE KEY" for ECDSA-P256), certificates 0644, CAs valid 10 years
and leaves 1 year.
"""
import base64
import hashlib
import os
import secrets
import subprocess
import tempfile
import time
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


def _key_pem(algorithm: str) -> bytes:
    if algorithm == "ECDSA-P256":
        return _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout"])
    return _openssl(["genrsa", "-traditional", "2048"])


def generate_keys(key_paths: list, algorithm: str = "RSA-2048") -> None:
    """Generate several private keys at once: RSA key generation dominates kubeadm init."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        pems = list(pool.map(lambda _: _key_pem(algorithm), key_paths))
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


def csr_subject(csr_pem: bytes) -> tuple:
    """(common name, [organizations]) of a CSR."""
    text = _openssl(["req", "-noout", "-subject", "-nameopt", "sep_multiline,sname"], csr_pem).decode()
    common_name, orgs = "", []
    for line in text.splitlines()[1:]:
        key, _, value = line.strip().partition("=")
        if key == "CN":
            common_name = value
        elif key == "O":
            orgs.append(value)
    return common_name, orgs


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


def not_after(cert_pem: bytes) -> float:
    """The certificate's notAfter as an epoch (openssl prints "Dec 15 11:43:47 2026 GMT")."""
    import calendar
    text = _openssl(["x509", "-noout", "-enddate"], cert_pem).decode().strip().partition("=")[2]
    return calendar.timegm(time.strptime(text, "%b %d %H:%M:%S %Y %Z"))


def resign(cert_pem: bytes, key_pem: bytes, ca_cert: str, ca_key: str, days: int) -> bytes:
    """The same certificate (subject, SANs, usages, key) signed again by its CA for `days` from now,
    as kubeadm's renewal does (phases/certs/renewal: the old certificate is the template)."""
    with tempfile.NamedTemporaryFile("wb", suffix=".key", delete=False) as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(key_pem)
        key_path = handle.name
    try:
        csr = _openssl(["x509", "-x509toreq", "-signkey", key_path, "-copy_extensions", "copyall"], cert_pem)
    finally:
        os.remove(key_path)
    return _openssl(["x509", "-req", "-CA", ca_cert, "-CAkey", ca_key, "-set_serial", str(secrets.randbits(63)),
                     "-days", str(days), "-sha256", "-copy_extensions", "copyall"], csr)

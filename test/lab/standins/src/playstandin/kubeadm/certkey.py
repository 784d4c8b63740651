"""The "kubeadm-certs" Secret: the shared CA material, encrypted with the certificate key.

Real kubeadm encrypts each file with AES-GCM under the 32-byte certificate key and lets
the Secret expire with a proxy token (2 h). The stand-in encrypts with AES-256-CTR (openssl)
plus HMAC-SHA256, so a wrong key fails the same way ("cipher: message authentication
failed") and an expired Secret is simply gone. In the folder, one bundle in
kubeadm-certs.json; in etcd mode (clusterdata.py) the real Secret kube-system/kubeadm-certs
through the API: one data key per file ("etcd/ca.crt" as "etcd-ca.crt"), each value the
nonce, ciphertext and tag (here IV, ciphertext, HMAC) as copycerts.go lays them out, and an
owner reference to the proxy token's Secret, so it goes when that token expires.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess

from .. import apistore, clusterdata, paths, timefmt
from ..errors import StandinError
from ..state import ClusterState
from . import tokens

SHARED_FILES = ["ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key",
                "etcd/ca.crt", "etcd/ca.key"]
NOT_FOUND = ('Secret "kubeadm-certs" was not found in the "kube-system" Namespace. This Secret might have expired. '
             'Please, run `kubeadm init phase upload-certs --upload-certs` on a control plane to generate a new one')


def new_key() -> str:
    return secrets.token_hex(32)


def decode_key(key: str) -> bytes:
    if len(key) % 2:
        raise StandinError("error decoding certificate key: encoding/hex: odd length hex string")
    try:
        raw = bytes.fromhex(key)
    except ValueError:
        bad = next((c for c in key if c not in "0123456789abcdefABCDEF"), "?")
        raise StandinError(f"error decoding certificate key: encoding/hex: invalid byte: U+{ord(bad):04X} {bad!r}") from None
    if len(raw) != 32:
        raise StandinError("error decoding certificate key: crypto/aes: invalid key size "
                           f"{len(raw)}")
    return raw


def _aes_ctr(key: bytes, iv: bytes, data: bytes) -> bytes:
    # The key reaches openssl on a pipe (fd:N), never on its command line: a process list
    # sampled during a join must not show it (the real kubeadm does AES in process).
    read_end, write_end = os.pipe()
    os.write(write_end, key.hex().encode() + b"\n")
    os.close(write_end)
    try:
        result = subprocess.run(["openssl", "enc", "-aes-256-ctr", "-pbkdf2", "-iter", "1", "-md", "sha256", "-nosalt",
                                 "-pass", f"fd:{read_end}", "-iv", iv.hex()],
                                input=data, capture_output=True, check=True, pass_fds=(read_end,))
    finally:
        os.close(read_end)
    return result.stdout


def _mac(key: bytes, iv: bytes, ciphertext: bytes) -> str:
    return hmac.new(key, iv + ciphertext, hashlib.sha256).hexdigest()


def upload(state: ClusterState, cert_dir: str, key: str) -> None:
    """Store the shared certificates from this control plane under the certificate key."""
    raw_key = decode_key(key)
    bundle = {}
    for name in SHARED_FILES:
        path = os.path.join(paths.host_path(cert_dir), name)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                bundle[name] = base64.b64encode(handle.read()).decode()
    ttl = float(state.settings()["certificate_key_ttl_seconds"])
    if clusterdata.in_objects(state):
        return _upload_secret(state, raw_key, bundle, ttl)
    iv = secrets.token_bytes(16)
    ciphertext = _aes_ctr(raw_key, iv, json.dumps(bundle).encode())
    proxy = tokens.store(state, tokens.generate(), ttl, [], [], tokens.CERTS_PROXY_DESCRIPTION)
    with state.locked():
        state.write("kubeadm-certs", {"iv": iv.hex(), "ciphertext": base64.b64encode(ciphertext).decode(),
                                      "mac": _mac(raw_key, iv, ciphertext), "ownerToken": proxy["id"],
                                      "expires": proxy["expires"]})


def download(state: ClusterState, cert_dir: str, key: str) -> None:
    """Write the shared certificates into cert_dir; StandinError with kubeadm's wording otherwise."""
    raw_key = decode_key(key)
    if clusterdata.in_objects(state):
        return _write_bundle(cert_dir, _download_secret(state, raw_key))
    secret = state.read("kubeadm-certs")
    if not secret or (secret.get("expires") and secret["expires"] <= timefmt.now()):
        raise StandinError(f"error downloading the secret: {NOT_FOUND}")
    iv, ciphertext = bytes.fromhex(secret["iv"]), base64.b64decode(secret["ciphertext"])
    if not hmac.compare_digest(_mac(raw_key, iv, ciphertext), secret["mac"]):
        raise StandinError("error decoding secret data with provided key: cipher: message authentication failed")
    _write_bundle(cert_dir, json.loads(_aes_ctr(raw_key, iv, ciphertext)))


def _write_bundle(cert_dir: str, bundle: dict) -> None:
    for name, data in bundle.items():
        mode = 0o644 if name.endswith(".crt") else 0o600
        paths.write_file(os.path.join(paths.host_path(cert_dir), name), base64.b64decode(data), mode)


# -- etcd mode: the Secret through the API ------------------------------------------------------
def _seal(key: bytes, plaintext: bytes) -> bytes:
    iv = secrets.token_bytes(16)
    ciphertext = _aes_ctr(key, iv, plaintext)
    return iv + ciphertext + bytes.fromhex(_mac(key, iv, ciphertext))


def _unseal(key: bytes, sealed: bytes) -> bytes:
    iv, ciphertext, tag = sealed[:16], sealed[16:-32], sealed[-32:]
    if len(sealed) < 48 or not hmac.compare_digest(_mac(key, iv, ciphertext), tag.hex()):
        raise StandinError("error decoding secret data with provided key: cipher: message authentication failed")
    return _aes_ctr(key, iv, ciphertext)


def _upload_secret(state: ClusterState, raw_key: bytes, bundle: dict, ttl: float) -> None:
    proxy = tokens.store(state, tokens.generate(), ttl, [], [], tokens.CERTS_PROXY_DESCRIPTION)
    data = {name.replace("/", "-"): base64.b64encode(_seal(raw_key, base64.b64decode(content))).decode()
            for name, content in bundle.items()}
    owner = {"apiVersion": "v1", "kind": "Secret", "name": f"{clusterdata.TOKEN_PREFIX}{proxy['id']}",
             "uid": proxy.get("uid", ""), "controller": True, "blockOwnerDeletion": True}
    apistore.apply_object(state, clusterdata.SECRET, {
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": data,
        "metadata": {"name": "kubeadm-certs", "namespace": clusterdata.KUBE_SYSTEM, "ownerReferences": [owner]}})


def _download_secret(state: ClusterState, raw_key: bytes) -> dict:
    """The bundle (file name -> base64 content) from the Secret; kubeadm's errors when absent or the key is wrong."""
    secret = apistore.find_object(state, clusterdata.SECRET, clusterdata.KUBE_SYSTEM, "kubeadm-certs")
    if not secret:
        raise StandinError(f"error downloading the secret: {NOT_FOUND}")
    by_key = {name.replace("/", "-"): name for name in SHARED_FILES}
    return {by_key.get(key, key): base64.b64encode(_unseal(raw_key, base64.b64decode(value))).decode()
            for key, value in (secret.get("data") or {}).items()}

"""Token discovery for kubeadm join: fetch cluster-info through the endpoint and trust it
only if the JWS signature matches the token and the CA matches a pinned hash."""

from __future__ import annotations

import base64
import hmac
import re
import time

import yaml

from .. import apistore, httpclient, pki
from ..errors import StandinError

CLUSTER_INFO = "/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s"
RETRY_INTERVAL = 1.0


def validate_pins(pins: list) -> None:
    for pin in pins:
        kind, sep, value = pin.partition(":")
        if not sep:
            raise StandinError('invalid hash, expected "format:hex-value"')
        if kind != "sha256":
            raise StandinError(f'unknown hash format "{kind}". Known format(s) are: sha256')
        if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
            raise StandinError(f'invalid hash "{pin}": expected a 64 characters hex string')


def _fetch(endpoint: str, token_id: str, ca_pem: bytes | None, deadline: float) -> dict:
    """The cluster-info ConfigMap data once it carries a signature for token_id; retried until the deadline."""
    last_error = ""
    while True:
        try:
            answer = httpclient.request(f"https://{endpoint}", CLUSTER_INFO, ca_pem=ca_pem, insecure=ca_pem is None)
            if answer.status == 200:
                data = answer.json().get("data", {})
                if f"{apistore.JWS_PREFIX}{token_id}" in data:
                    return data
                last_error = f'could not find a JWS signature in the cluster-info ConfigMap for token ID "{token_id}"'
            else:
                last_error = answer.json().get("message", f"the server responded with status {answer.status}")
        except httpclient.TransportError as exc:
            last_error = exc.wrapped()
        if time.monotonic() >= deadline:
            raise StandinError(f"couldn't validate the identity of the API Server: {last_error}")
        time.sleep(min(RETRY_INTERVAL, max(0.0, deadline - time.monotonic())))


def discover(endpoint: str, token: str, pins: list, timeout: float) -> dict:
    """{"server", "ca_pem", "kubeconfig"} of the cluster behind endpoint."""
    validate_pins(pins)
    token_id, _, secret = token.partition(".")
    deadline = time.monotonic() + timeout
    data = _fetch(endpoint, token_id, None, deadline)
    kubeconfig_text = data.get("kubeconfig", "")
    expected = apistore.detached_jws(kubeconfig_text, token_id, secret)
    if not hmac.compare_digest(expected, data[f"{apistore.JWS_PREFIX}{token_id}"]):
        raise StandinError("couldn't validate the identity of the API Server: failed to verify JWS signature of "
                           "received cluster info object, can't trust this API Server")
    cluster = (yaml.safe_load(kubeconfig_text) or {}).get("clusters", [{}])[0].get("cluster", {})
    ca_pem = base64.b64decode(cluster.get("certificate-authority-data", ""))
    if pins:
        actual = pki.spki_sha256(ca_pem)
        if actual.lower() not in [pin.lower() for pin in pins]:
            raise StandinError("couldn't validate the identity of the API Server: cluster CA found in cluster-info "
                               f'ConfigMap is invalid: none of the public keys "{actual}" are pinned')
    # connect again, now verifying TLS against the pinned CA (catches a wrong SAN on the endpoint)
    secure = _fetch(endpoint, token_id, ca_pem, deadline)
    if secure.get("kubeconfig") != kubeconfig_text:
        raise StandinError("couldn't validate the identity of the API Server: the second kubeconfig from the "
                           "cluster-info ConfigMap (using validated TLS) was different from the first")
    return {"server": cluster.get("server", f"https://{endpoint}"), "ca_pem": ca_pem, "kubeconfig": kubeconfig_text}

"""Bootstrap tokens: bootstrap-token-<id> Secrets through the API in etcd mode (clusterdata.py),
else tokens.json in the shared folder."""

from __future__ import annotations

import secrets

from .. import clusterdata, timefmt
from ..tabwriter import table
from ..state import ClusterState
from .config import TOKEN_RE

ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
CERTS_PROXY_DESCRIPTION = "Proxy for managing TTL for the kubeadm-certs secret"


def generate() -> str:
    pick = lambda n: "".join(secrets.choice(ALPHABET) for _ in range(n))  # noqa: E731
    return f"{pick(6)}.{pick(16)}"


def _expiry(ttl_seconds: float) -> float | None:
    return timefmt.now() + ttl_seconds if ttl_seconds > 0 else None   # ttl 0: never expires


def store(state: ClusterState, token: str, ttl_seconds: float, usages: list, groups: list, description: str) -> dict:
    """Create or replace the token (same id) under the lock; expired tokens are dropped (tokencleaner)."""
    match = TOKEN_RE.match(token)
    record = {"id": match.group(1), "secret": match.group(2), "expires": _expiry(ttl_seconds),
              "usages": sorted(usages), "groups": groups, "description": description}
    if clusterdata.in_objects(state):   # the token cleaner removes expired ones there
        return clusterdata.put_token(state, record)
    with state.locked():
        now = timefmt.now()
        document = state.read("tokens", {}) or {}
        kept = [t for t in document.get("tokens", []) if t["id"] != record["id"] and (not t.get("expires") or t["expires"] > now)]
        document["tokens"] = kept + [record]
        state.write("tokens", document)
    return record


def delete(state: ClusterState, token_id: str) -> bool:
    if clusterdata.in_objects(state):
        return clusterdata.delete_token(state, token_id)
    with state.locked():
        document = state.read("tokens", {}) or {}
        before = len(document.get("tokens", []))
        document["tokens"] = [t for t in document.get("tokens", []) if t["id"] != token_id]
        state.write("tokens", document)
    return len(document["tokens"]) != before


def list_table(state: ClusterState) -> str:
    now = timefmt.now()
    rows = [["TOKEN", "TTL", "EXPIRES", "USAGES", "DESCRIPTION", "EXTRA GROUPS"]]
    for token in clusterdata.tokens(state):
        expires = token.get("expires")
        if expires and expires <= now:
            continue
        rows.append([f"{token['id']}.{token['secret']}",
                     timefmt.short_human_duration(expires - now) if expires else "<forever>",
                     timefmt.rfc3339(expires) if expires else "<never>",
                     ",".join(token.get("usages") or []) or "<none>",
                     token.get("description") or "<none>",
                     ",".join(token.get("groups") or []) or "<none>"])
    return table(rows)

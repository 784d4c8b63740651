"""Drives playstandin.etcdstore for test/standins/etcd-store.test.ts (PYTHONPATH: the stand-ins' src).

  etcd_store_driver.py pki DIR           a CA, etcd's serving certificate (127.0.0.1) and the
                                         apiserver-etcd-client certificate, with the stand-ins' PKI code
  etcd_store_driver.py serve ENDPOINTS DIR TIMEOUT
                                         one store (one connection pool) for the whole test: reads a JSON
                                         command per line on stdin, answers one JSON line per command
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from playstandin import apistore, etcdstore, pki
from playstandin.resources import Registry
from playstandin.state import ClusterState

REGISTRY = Registry()
CONFIGMAP = REGISTRY.by_kind("v1", "ConfigMap")
NAMESPACE = REGISTRY.by_kind("v1", "Namespace")


def make_pki(folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    path = lambda name: os.path.join(folder, name)   # noqa: E731
    pki.generate_keys([path("ca.key"), path("server.key"), path("client.key")], "ECDSA-P256")
    pki.create_ca(path("ca.key"), path("ca.crt"), "etcd-ca")
    pki.create_leaf(path("ca.crt"), path("ca.key"), path("server.key"), path("server.crt"), "etcd-server",
                    usages="both", dns_names=["localhost"], ips=["127.0.0.1"])
    pki.create_leaf(path("ca.crt"), path("ca.key"), path("client.key"), path("client.crt"),
                    "kube-apiserver-etcd-client", usages="client")


def configmap(name: str, data: dict, namespace: str = "default", resource_version: str | None = None) -> dict:
    metadata = {"name": name, "namespace": namespace}
    if resource_version:
        metadata["resourceVersion"] = resource_version
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}


def race(state: ClusterState, store: etcdstore.EtcdStore, threads: int, rounds: int) -> dict:
    """threads x rounds read-modify-writes of one counter: only the mod_revision txn keeps them all."""
    apistore.apply_object(state, CONFIGMAP, configmap("counter", {"n": "0"}))
    before = store.conflicts

    def bump(node):
        node["metadata"].setdefault("annotations", {})
        node["metadata"]["annotations"]["n"] = str(int(node["metadata"]["annotations"].get("n", "0")) + 1)

    def worker():
        for _ in range(rounds):
            store.guaranteed_update(store.key(CONFIGMAP, "default", "counter"),
                                    lambda obj: {**obj, "data": {"n": str(int(obj["data"]["n"]) + 1)}})
            apistore.update_node(state, "racer", bump)
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for worker_ in workers:
        worker_.start()
    for worker_ in workers:
        worker_.join()
    counter = apistore.get_object(state, CONFIGMAP, "default", "counter")
    node = apistore.stored_node(state, "racer")
    return {"counter": counter["data"]["n"], "node": node["metadata"]["annotations"]["n"],
            "conflicts": store.conflicts - before}


def register(state: ClusterState, threads: int) -> dict:
    """threads new Nodes registered at once: each gets its own podCIDR."""
    names = [f"new{i}" for i in range(threads)]
    workers = [threading.Thread(target=apistore.kubelet_status_update, args=(state, name, {"status": {}})) for name in names]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {node["metadata"]["name"]: node["spec"].get("podCIDR") for node in apistore.stored_nodes(state)
            if node["metadata"]["name"] in names}


def bench(store: etcdstore.EtcdStore, count: int) -> dict:
    """Seconds per range request with the pool, then with a new TLS connection for each."""
    client = store.client
    start = time.perf_counter()
    for _ in range(count):
        store.get(CONFIGMAP, "default", "counter")
    pooled = (time.perf_counter() - start) / count
    opened = client.connections_opened
    start = time.perf_counter()
    for _ in range(count):
        client.close()   # no idle connection left: the next request dials and handshakes
        store.get(CONFIGMAP, "default", "counter")
    fresh = (time.perf_counter() - start) / count
    return {"pooled_ms": round(pooled * 1000, 3), "fresh_ms": round(fresh * 1000, 3),
            "fresh_connections": client.connections_opened - opened}


def attempt(action):
    """{"ok": value} or {"code", "reason", "message"} of the ApiStatus, with the seconds it took."""
    start = time.monotonic()
    try:
        answer = {"ok": action()}
    except apistore.ApiStatus as status:
        answer = {"code": status.code, "reason": status.reason, "message": status.message, "body": status.body()}
    answer["seconds"] = round(time.monotonic() - start, 3)
    return answer


def serve(endpoints: str, folder: str, timeout: float) -> None:
    client = etcdstore.Client(endpoints.split(","), os.path.join(folder, "ca.crt"), os.path.join(folder, "client.crt"),
                              os.path.join(folder, "client.key"), timeout)
    store = etcdstore.EtcdStore(client)
    state = store.state()
    commands = {
        "apply": lambda c: apistore.apply_object(state, REGISTRY.by_kind(c["obj"]["apiVersion"], c["obj"]["kind"]), c["obj"]),
        "create": lambda c: apistore.create_object(state, CONFIGMAP, configmap(c["name"], c["data"], c.get("namespace", "default"))),
        "update": lambda c: apistore.update_object(state, CONFIGMAP, configmap(c["name"], c["data"], c.get("namespace", "default"),
                                                                             c.get("resourceVersion"))),
        "get": lambda c: apistore.get_object(state, CONFIGMAP, c.get("namespace", "default"), c["name"]),
        "list": lambda c: store.list_with_revision(CONFIGMAP, c.get("namespace")),
        "delete": lambda c: apistore.delete_object(state, CONFIGMAP, c.get("namespace", "default"), c["name"]),
        "node": lambda c: apistore.kubelet_status_update(state, c["name"], {"metadata": {"labels": {"a": "b"}}, "status": {
            "conditions": [{"type": "Ready", "status": "True"}]}}),
        "nodes": lambda c: apistore.nodes(state),
        "delete-node": lambda c: apistore.delete_node(state, c["name"]),
        "raw": lambda c: [{"key": key, "value": value} for key, value in raw_range(client, c["prefix"])],
        "race": lambda c: race(state, store, c["threads"], c["rounds"]),
        "register": lambda c: register(state, c["threads"]),
        "bench": lambda c: bench(store, c["count"]),
        "health": lambda c: store.health_error(),
        "call": lambda c: store._call(c["path"], c["body"]),
        "counters": lambda c: {"requests": client.requests, "connections": client.connections_opened},
    }
    for line in sys.stdin:
        command = json.loads(line)
        answer = attempt(lambda: commands[command["op"]](command))
        print(json.dumps(answer), flush=True)


def raw_range(client: etcdstore.Client, prefix: str) -> list:
    import base64
    answer = client.call("/v3/kv/range", {"key": etcdstore._b64(prefix), "range_end": etcdstore.prefix_end(prefix)})
    return [(base64.b64decode(kv["key"]).decode(), json.loads(base64.b64decode(kv["value"])))
            for kv in answer.get("kvs") or []]


def main(argv: list) -> int:
    if argv[0] == "pki":
        make_pki(argv[1])
    elif argv[0] == "serve":
        serve(argv[1], argv[2], float(argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

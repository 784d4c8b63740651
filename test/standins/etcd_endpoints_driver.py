"""Drives kubeadm's etcd endpoint discovery (playstandin/kubeadm/etcd.py endpoints_from_pods) for
test/standins/etcd-endpoints.test.ts, on a cluster state in a temp folder (PYTHONPATH: the
stand-ins' src; PLAY_CLUSTER_STATE: the folder).

  etcd_endpoints_driver.py DELAY TIMEOUT [FAILS]
      master1's kubelet mirrors its etcd static pod DELAY seconds after the call starts (DELAY < 0:
      never); the first FAILS looks (default 0, -1: every one) get the apiserver's 504 "Timeout"
      answer instead; prints {"endpoints": [...], "seconds": S} once endpoints_from_pods returns,
      or {"error": MESSAGE, "seconds": S}, polling every 0.1 s for at most TIMEOUT seconds.
"""

from __future__ import annotations

import json
import sys
import threading
import time

from playstandin import apistore, etcdstore
from playstandin.errors import StandinError
from playstandin.kubeadm import etcd
from playstandin.state import ClusterState

NODE = "master1"
URL = "https://172.29.10.21:2379"


def mirror_etcd_pod(node: dict) -> None:
    node["metadata"].setdefault("annotations", {})[apistore.STATIC_PODS_ANNOTATION] = json.dumps([
        {"name": "etcd", "image": "registry.k8s.io/etcd:3.5.15-0", "ready": True,
         "annotations": {etcd.ENDPOINTS_ANNOTATION: URL}}])


def failing_first(fails: int):
    """apistore.pods whose first `fails` calls (all when negative) answer as an apiserver whose etcd
    does not answer in time."""
    real, calls = apistore.pods, [0]

    def pods(state):
        calls[0] += 1
        if fails < 0 or calls[0] <= fails:
            raise apistore.ApiStatus(504, "Timeout", etcdstore.TIMEOUT_MESSAGE)
        return real(state)
    return pods


def main() -> None:
    delay, timeout = float(sys.argv[1]), float(sys.argv[2])
    apistore.pods = failing_first(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    state = ClusterState()
    apistore.update_node(state, NODE, lambda node: None)   # registered, no static pod mirrored yet
    if delay >= 0:
        timer = threading.Timer(delay, lambda: apistore.update_node(state, NODE, mirror_etcd_pod))
        timer.start()
    started = time.monotonic()
    try:
        outcome = {"endpoints": etcd.endpoints_from_pods(state, interval=0.1, timeout=timeout)}
    except StandinError as exc:
        outcome = {"error": exc.message}
    print(json.dumps({**outcome, "seconds": round(time.monotonic() - started, 2)}))


if __name__ == "__main__":
    main()

"""Drives the stand-in kubeadm's Node patch through the API (playstandin/remotestore.py
RemoteStore.update_node, apiclient.PatchNode) for test/standins/remote-store.test.ts, against a
client that gives scripted answers (PYTHONPATH: the stand-ins' src).

  remote_store_driver.py ANSWERS NODE_WAIT
      ANSWERS: a JSON list, one entry per request in order: an HTTP status (200 answers master3's
      Node; 404, 403, 409, 504 answer a metav1.Status with the reason the real apiserver gives), or
      "refused" (no answer: a load balancer without a backend); the last entry answers every later
      request. Prints {"calls": ["GET", "PATCH", ...], "labels": {...}} once the Node is patched, or
      {"calls": [...], "error": MESSAGE}.
"""

from __future__ import annotations

import json
import sys

from playstandin import remotestore
from playstandin.errors import StandinError
from playstandin.httpclient import Response, TransportError

REASONS = {403: ("Forbidden", 'nodes "master3" is forbidden: User "system:bootstrap:abcdef" cannot patch resource "nodes"'),
           404: ("NotFound", 'nodes "master3" not found'),
           409: ("Conflict", 'Operation cannot be fulfilled on nodes "master3": the object has been modified'),
           504: ("Timeout", "Timeout: request did not complete within requested timeout - context deadline exceeded")}
NODE = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "master3", "labels": {"kubernetes.io/hostname": "master3"}},
        "spec": {}}


class ScriptedClient:
    def __init__(self, answers: list):
        self.answers, self.calls = answers, []

    def request(self, path: str, method: str, body=None) -> Response:
        answer = self.answers[min(len(self.calls), len(self.answers) - 1)]
        self.calls.append(method)
        if answer == "refused":
            raise TransportError("refused", "dial tcp 172.29.10.10:6443: connect: connection refused",
                                 f"https://172.29.10.10:6443{path}")
        if answer == 200:
            node = json.loads(json.dumps(NODE))
            if method == "PATCH":
                node["metadata"]["labels"].update(body.get("metadata", {}).get("labels", {}))
            return Response(200, {}, json.dumps(node).encode())
        reason, message = REASONS[answer]
        status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "message": message, "code": answer}
        return Response(answer, {}, json.dumps(status).encode())


def main() -> None:
    answers, node_wait = json.loads(sys.argv[1]), float(sys.argv[2])
    remotestore.NODE_RETRY_INTERVAL = 0.01
    client = ScriptedClient(answers)
    store = remotestore.RemoteStore(client, node_wait=node_wait)
    try:
        patched = store.update_node("master3", lambda node: node["metadata"]["labels"].update({"node-role.kubernetes.io/control-plane": ""}))
        outcome = {"labels": patched["metadata"]["labels"]}
    except StandinError as exc:
        outcome = {"error": exc.message}
    except remotestore.ApiStatus as status:
        outcome = {"error": status.message}
    print(json.dumps({"calls": client.calls, **outcome}))


if __name__ == "__main__":
    main()

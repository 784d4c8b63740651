"""apistore's backend over HTTPS to an apiserver: how kubeadm reaches the cluster's objects when
they live in etcd (settings.json "apiserver_storage": "etcd").

The real kubeadm never opens etcd's keys: it reads and writes API objects through the apiserver
with a kubeconfig, admin.conf for init/upgrade/token/reset, the bootstrap token for a join. Attached
to a ClusterState (state.objects_store), this store makes apistore's functions (apply_object,
get_object, nodes, pods, mark_control_plane ...) do just that, so kubeadm's code stays the same
whichever side of the API it runs on. The folder mode never attaches it: there kubeadm keeps
writing the shared folder as before.
"""

from __future__ import annotations

import copy
import time

from . import httpclient
from .apistore import ApiStatus
from .errors import StandinError

NODE_RETRY_INTERVAL = 0.5     # kubeadm's APICallRetryInterval
NODE_WAIT_SECONDS = 60.0      # apiclient.PatchNode: the Node the kubelet registers may not be there yet
NODE_PATH = "/api/v1/nodes"


def _patch_retried(status: ApiStatus) -> bool:
    """PatchNodeOnce tries a failed Patch again on apierrors IsTimeout, IsConflict, IsServerTimeout and
    IsServiceUnavailable (a reason, or the 503 code)."""
    return status.reason in ("Timeout", "Conflict", "ServerTimeout", "ServiceUnavailable") or status.code == 503


class RemoteStore:
    """get/list/write(apply)/delete of objects and the Node operations, each one API request."""

    def __init__(self, client, node_wait: float = NODE_WAIT_SECONDS):
        self.client = client          # kubeconfig.Kubeconfig: server, CA, certificate or token
        self.node_wait = node_wait

    def _request(self, method: str, path: str, body=None):
        """The answer's JSON; ApiStatus for an error answer, StandinError (Go's words) when none came."""
        try:
            answer = self.client.request(path, method, body)
        except httpclient.TransportError as exc:
            raise StandinError(exc.wrapped(method.title())) from None
        data = answer.json() if answer.body else {}
        if answer.status >= 400:
            data = data if isinstance(data, dict) else {}
            raise ApiStatus(answer.status, data.get("reason", ""), data.get("message", f"the server responded with "
                                                                                      f"status {answer.status}"),
                            data.get("details"))
        return data, answer.headers

    def _absent_is_none(self, method: str, path: str, body=None):
        try:
            return self._request(method, path, body)[0]
        except ApiStatus as status:
            if status.code == 404:
                return None
            raise

    # -- objects ------------------------------------------------------------------------------
    def crds(self) -> list:
        # kubeadm only touches built-in kinds, and a bootstrap token may not list CRDs (RBAC)
        return []

    def get(self, resource, namespace: str | None, name: str) -> dict | None:
        return self._absent_is_none("GET", resource.path(namespace, name))

    def list(self, resource, namespace: str | None = None) -> list:
        return self._request("GET", resource.path(namespace))[0].get("items", [])

    def write(self, resource, obj: dict, mode: str) -> tuple:
        """The stand-in apiserver's PUT: create or replace, the outcome in X-Standin-Apply."""
        if mode != "apply":
            raise ValueError(f"RemoteStore writes by apply only, not {mode}")
        metadata = obj["metadata"]
        # an object read back carries the status its controllers report (kube-proxy's DaemonSet in
        # upgrade): a PUT of the resource does not change status, so none is sent
        body = {key: value for key, value in obj.items() if key != "status"}
        stored, headers = self._request("PUT", resource.path(metadata.get("namespace"), metadata["name"]), body)
        return headers.get("X-Standin-Apply", "configured"), stored

    def delete(self, resource, namespace: str | None, name: str) -> dict | None:
        return self._absent_is_none("DELETE", resource.path(namespace, name))

    # -- nodes ----------------------------------------------------------------------------------
    def node(self, name: str) -> dict | None:
        return self._absent_is_none("GET", f"{NODE_PATH}/{name}")

    def nodes(self) -> list:
        return self._request("GET", NODE_PATH)[0].get("items", [])

    def update_node(self, name: str, change) -> dict:
        """apiclient.PatchNode (PatchNodeOnce polled until node_wait): a Get of the Node, tried again on
        any error or while it is not registered, then a merge patch of what change() altered, tried
        again on the errors PatchNodeOnce retries. The Node as served carries derived taints
        (not-ready, unreachable): only keys change() touched go back."""
        deadline = time.monotonic() + self.node_wait
        not_found = StandinError(f'timed out waiting for the condition: nodes "{name}" not found')
        while True:
            try:
                before = self.node(name)
                last_error: Exception = not_found
            except (ApiStatus, StandinError) as exc:   # "retry on any error"
                before, last_error = None, exc
            if before is not None:
                after = copy.deepcopy(before)
                change(after)   # edits in place (apistore's convention)
                try:
                    return self._patch_changes(name, before, after)
                except ApiStatus as status:
                    if not _patch_retried(status):
                        raise
                    last_error = status
            if time.monotonic() >= deadline:
                raise last_error
            time.sleep(NODE_RETRY_INTERVAL)

    def _patch_changes(self, name: str, before: dict, after: dict) -> dict:
        metadata = {key: after["metadata"].get(key) or {} for key in ("labels", "annotations")
                    if after["metadata"].get(key) != before["metadata"].get(key)}
        spec = {key: value for key, value in after.get("spec", {}).items() if before.get("spec", {}).get(key) != value}
        patch = {**({"metadata": metadata} if metadata else {}), **({"spec": spec} if spec else {})}
        return self._request("PATCH", f"{NODE_PATH}/{name}", patch)[0]

    def delete_node(self, name: str) -> bool:
        return self._absent_is_none("DELETE", f"{NODE_PATH}/{name}") is not None


def attach(state, client):
    """state with its objects behind the apiserver client (a kubeconfig.Kubeconfig); returns state."""
    state.objects_store = RemoteStore(client)
    return state


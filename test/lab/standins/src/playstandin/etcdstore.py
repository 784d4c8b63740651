"""The API's objects in etcd, as the real kube-apiserver keeps them (storage/etcd3).

Chosen by settings.json "apiserver_storage": "etcd" when the apiserver starts (selected() below);
the folder (apistore.FolderStore) stays the default. The apiserver talks to the etcd of its
manifest (--etcd-servers, --etcd-cafile, --etcd-certfile, --etcd-keyfile, --etcd-prefix) through
etcd's v3 JSON gateway over HTTPS (POST /v3/kv/range, /v3/kv/txn, /v3/kv/deleterange; keys and
values base64), which etcd 3.4 and 3.5 serve on the client port, instead of gRPC.

Keys are the real ones: /registry/minions/NAME for Nodes, /registry/configmaps/NS/NAME,
/registry/services/specs/NS/NAME, /registry/apiextensions.k8s.io/customresourcedefinitions/NAME,
/registry/GROUP/PLURAL/[NS/]NAME for custom resources. Values are the object's JSON (the real
apiserver stores protobuf for built-in kinds, JSON for custom resources) without
metadata.resourceVersion: that is etcd's mod_revision of the key, and a list's is the header
revision, as in the real store.

Writes are the real GuaranteedUpdate: read, change, then a txn that puts only if the key's
mod_revision is still the one read (create: create_revision == 0), else retry on the value the
failed txn returns. A create that finds the key answers AlreadyExists.

Connections: one pool per endpoint shared by all request threads, so a request reuses an idle
TLS connection (HTTP/1.1 keep-alive) instead of a handshake each time; a connection that fails
is dropped and the request goes to the next endpoint of --etcd-servers. Every call is bounded
(settings.json "storage_timeout_seconds", default 15 s, longer than etcd's own timeouts): when
no endpoint answers in time the API answers as the real one does once its request deadline
passes, 504 "Timeout: request did not complete within requested timeout - context deadline
exceeded" (the real one waits for its 60 s --request-timeout); an error etcd answers
("etcdserver: request timed out"; 3.5: "context deadline exceeded" for a write without a leader)
is the real apiserver's 500 with etcd's message, which kubectl prints as "Error from server:
etcdserver: request timed out".

Start-up: the real apiserver's etcd client blocks until a connection is up (grpc.WithBlock, a
20 s DialTimeout) before it listens on its port, and exits with "context deadline exceeded" when
none came up; the kubelet starts it again. selected() waits the same way (settings.json
"etcd_dial_timeout_seconds"), so a joining control plane's apiserver, started before its etcd
member, takes no connection a TCP health check could count as up.
"""

from __future__ import annotations

import base64
import copy
import http.client
import json
import os
import ssl
import threading
import time

from . import apistore, paths
from .apistore import ApiStatus
from .errors import StandinError
from .resources import BUILTIN, Resource
from .state import ClusterState

# A member without a leader answers "etcdserver: request timed out" itself after its request timeout,
# 5 s + 2 election timeouts (7 s with kubeadm's flags) for a write, up to twice that for a read (it
# may wait for two rounds of its read-index loop): the bound waits longer, so that answer comes through
DEFAULT_TIMEOUT = 15.0
IDLE_CONNECTIONS = 8          # kept per endpoint; more concurrent requests open more, then close them
RETRY_PAUSE = 0.1
DIAL_TIMEOUT = 20.0           # storagebackend/factory/etcd3.go dialTimeout: how long start-up waits for etcd
DIAL_ATTEMPT_TIMEOUT = 5.0       # one endpoint's connect and TLS handshake
DIAL_RETRY_PAUSE = 0.5           # between rounds over the endpoints while none takes a connection
HEALTH_TIMEOUT = 2.0          # kube-apiserver --etcd-healthcheck-timeout
TIMEOUT_MESSAGE = "Timeout: request did not complete within requested timeout - context deadline exceeded"
# storage prefixes that are not the plural (pkg/kubeapiserver/default_storage_factory_builder.go,
# the registries' store options)
PREFIXES = {("", "nodes"): "minions", ("", "services"): "services/specs", ("", "endpoints"): "services/endpoints",
            ("networking.k8s.io", "ingresses"): "ingress",
            ("apiextensions.k8s.io", "customresourcedefinitions"): "apiextensions.k8s.io/customresourcedefinitions"}


class EtcdError(Exception):
    """No answer in time (timed_out) or an error etcd answered (its message)."""

    def __init__(self, message: str, timed_out: bool = False):
        super().__init__(message)
        self.message, self.timed_out = message, timed_out

    def status(self) -> ApiStatus:
        if self.timed_out:
            return ApiStatus(504, "Timeout", TIMEOUT_MESSAGE)
        return ApiStatus(500, "", self.message)


def _b64(data: str | bytes) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def prefix_end(prefix: str) -> str:
    """clientv3.GetPrefixRangeEnd: the prefix with its last byte + 1 (prefixes here end in '/')."""
    raw = prefix.encode()
    return _b64(raw[:-1] + bytes([raw[-1] + 1]))


class Client:
    """POST JSON to etcd's gateway over pooled TLS connections, failing over between endpoints."""

    def __init__(self, endpoints: list, ca_file: str, cert_file: str, key_file: str, timeout: float = DEFAULT_TIMEOUT):
        self.endpoints = [self._split(url) for url in endpoints if url]
        if not self.endpoints:
            raise ValueError("--etcd-servers must be specified")
        self.context = ssl.create_default_context(cafile=ca_file)
        self.context.load_cert_chain(cert_file, key_file)
        self.timeout = timeout
        self.lock = threading.Lock()
        self.idle = {endpoint: [] for endpoint in self.endpoints}
        self.preferred = 0
        self.connections_opened = 0   # TLS connections made (each one handshake)
        self.requests = 0

    @staticmethod
    def _split(url: str) -> tuple:
        host_port = url.split("://", 1)[-1].rstrip("/")
        host, _, port = host_port.rpartition(":")
        return host.strip("[]"), int(port or 2379)

    def _take(self, endpoint: tuple, timeout: float) -> tuple:
        with self.lock:
            if self.idle[endpoint]:
                return self.idle[endpoint].pop(), True
            self.connections_opened += 1
        return http.client.HTTPSConnection(endpoint[0], endpoint[1], context=self.context, timeout=timeout), False

    def _give(self, endpoint: tuple, connection) -> None:
        with self.lock:
            if len(self.idle[endpoint]) < IDLE_CONNECTIONS:
                self.idle[endpoint].append(connection)
                return
        connection.close()

    def _post(self, endpoint: tuple, path: str, payload: bytes, remaining: float) -> tuple:
        """(status, answer) from one endpoint; a reused connection that the server closed meanwhile
        is retried once on a new one. Raises OSError/HTTPException when the endpoint does not answer."""
        for attempt in (0, 1):
            connection, reused = self._take(endpoint, remaining)
            try:
                connection.timeout = remaining
                if connection.sock is not None:
                    connection.sock.settimeout(remaining)
                connection.request("POST", path, payload, {"Content-Type": "application/json"})
                answer = connection.getresponse()
                body = answer.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                if reused and attempt == 0:
                    continue
                raise
            if answer.will_close:
                connection.close()
            else:
                self._give(endpoint, connection)
            return answer.status, json.loads(body or b"{}")
        raise AssertionError("unreachable")

    def call(self, path: str, body: dict, timeout: float | None = None) -> dict:
        payload = json.dumps(body).encode()
        deadline = time.monotonic() + (timeout or self.timeout)
        with self.lock:
            self.requests += 1
        while True:
            for offset in range(len(self.endpoints)):
                index = (self.preferred + offset) % len(self.endpoints)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise EtcdError("context deadline exceeded", timed_out=True)
                try:
                    status, answer = self._post(self.endpoints[index], path, payload, remaining)
                except (OSError, http.client.HTTPException, ValueError):
                    continue   # down, or it hung up: the next endpoint
                self.preferred = index
                if status != 200:
                    raise EtcdError(str(answer.get("error") or answer.get("message") or f"etcd answered HTTP {status}"))
                return answer
            time.sleep(max(0.0, min(RETRY_PAUSE, deadline - time.monotonic())))

    def wait_connected(self, timeout: float) -> bool:
        """clientv3.New with grpc.WithBlock: True once one endpoint takes a TLS connection, False when
        none did within timeout (a connection needs no quorum: a member without a leader takes it)."""
        deadline = time.monotonic() + timeout
        while True:
            for host, port in self.endpoints:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                connection = http.client.HTTPSConnection(host, port, context=self.context,
                                                         timeout=min(remaining, DIAL_ATTEMPT_TIMEOUT))
                try:
                    connection.connect()
                    return True
                except OSError:
                    pass
                finally:
                    connection.close()
            time.sleep(max(0.0, min(DIAL_RETRY_PAUSE, deadline - time.monotonic())))

    def close(self) -> None:
        with self.lock:
            for connections in self.idle.values():
                for connection in connections:
                    connection.close()
                connections.clear()


_CRD_RESOURCE = next(resource for resource in BUILTIN if resource.kind == "CustomResourceDefinition")


def _kv_value(kv: dict) -> dict:
    obj = json.loads(base64.b64decode(kv.get("value", "")))
    obj.setdefault("metadata", {})["resourceVersion"] = str(kv.get("mod_revision", "0"))
    return obj


def _encode(obj: dict) -> str:
    stored = copy.deepcopy(obj)
    stored.get("metadata", {}).pop("resourceVersion", None)
    return _b64(json.dumps(stored, sort_keys=True, separators=(",", ":")))


class EtcdStore:
    """apistore's backend operations (see FolderStore) over etcd."""

    MAX_ATTEMPTS = 50   # GuaranteedUpdate retries on conflicting writers; they do not last

    # How often the CRD cache is listed again (the real apiserver's CRD informer watches; a list a
    # second keeps a CRD made through another master's apiserver visible here about as fast)
    CRD_REFRESH_S = 1.0

    def __init__(self, client: Client, prefix: str = "/registry"):
        self.client = client
        self.prefix = prefix.rstrip("/")
        self.conflicts = 0   # txns that lost to another writer and were retried
        self.lock = threading.Lock()
        self._crds: list | None = None   # the CRD informer's cache: filled by the first crds()
        self._crd_refresher: threading.Thread | None = None

    def state(self) -> ClusterState:
        """The folder's state (the cluster record, settings) with this store attached for the objects."""
        state = ClusterState()
        state.objects_store = self
        return state

    # -- keys -------------------------------------------------------------------------------
    def resource_prefix(self, resource: Resource) -> str:
        builtin = resource in BUILTIN
        folder = PREFIXES.get((resource.group, resource.plural)) or (
            resource.plural if builtin else f"{resource.group}/{resource.plural}")
        return f"{self.prefix}/{folder}/"

    def key(self, resource: Resource, namespace: str | None, name: str) -> str:
        scope = f"{namespace}/" if resource.namespaced and namespace else ""
        return f"{self.resource_prefix(resource)}{scope}{name}"

    def node_key(self, name: str) -> str:
        return f"{self.prefix}/minions/{name}"

    # -- etcd calls ---------------------------------------------------------------------------
    def _call(self, path: str, body: dict) -> dict:
        try:
            return self.client.call(path, body)
        except EtcdError as exc:
            raise exc.status() from None

    def _get(self, key: str) -> dict | None:
        kvs = self._call("/v3/kv/range", {"key": _b64(key)}).get("kvs") or []
        return kvs[0] if kvs else None

    def _range(self, prefix: str) -> tuple:
        answer = self._call("/v3/kv/range", {"key": _b64(prefix), "range_end": prefix_end(prefix)})
        return answer.get("kvs") or [], answer.get("header", {}).get("revision", "0")

    def _put_if(self, key: str, kv: dict | None, value: str, guards: list) -> tuple:
        """The txn of GuaranteedUpdate: (True, new revision) or (False, the key's current kv or None).
        guards: more compares the put depends on (e.g. the Nodes a podCIDR was chosen against)."""
        compare = ({"target": "MOD", "key": _b64(key), "mod_revision": kv["mod_revision"], "result": "EQUAL"} if kv
                   else {"target": "CREATE", "key": _b64(key), "create_revision": "0", "result": "EQUAL"})
        answer = self._call("/v3/kv/txn", {"compare": [compare, *guards],
                                           "success": [{"request_put": {"key": _b64(key), "value": value}}],
                                           "failure": [{"request_range": {"key": _b64(key)}}]})
        if answer.get("succeeded"):
            return True, str(answer.get("header", {}).get("revision", "0"))
        responses = answer.get("responses") or [{}]
        kvs = responses[0].get("response_range", {}).get("kvs") or []
        return False, (kvs[0] if kvs else None)

    def guaranteed_update(self, key: str, update, guards=lambda: []) -> dict | None:
        """update(current object or None) -> object to store, or None to store nothing; returns the
        stored object with its resourceVersion, or the unchanged current one (None when there is none).
        guards() is asked after each update for the extra compares of its txn."""
        kv = self._get(key)
        for _ in range(self.MAX_ATTEMPTS):
            current = _kv_value(kv) if kv else None
            wanted = update(copy.deepcopy(current) if current else None)
            if wanted is None:
                return current
            done, result = self._put_if(key, kv, _encode(wanted), guards())
            if done:
                wanted.setdefault("metadata", {})["resourceVersion"] = result
                return wanted
            with self.lock:
                self.conflicts += 1
            kv = result
        raise ApiStatus(500, "", f"GuaranteedUpdate of {key}: too many conflicting writers")

    def health_error(self) -> str | None:
        """The apiserver's etcd health check (storage/storagebackend/factory/etcd3.go: a Get of the key
        "health" bounded by --etcd-healthcheck-timeout, 2 s): None when etcd answered, else why not.
        For /healthz, /livez and /readyz once the lab runs on this store (not wired in yet)."""
        try:
            self.client.call("/v3/kv/range", {"key": _b64("health")}, min(HEALTH_TIMEOUT, self.client.timeout))
            return None
        except EtcdError as exc:
            return exc.message

    # -- objects ------------------------------------------------------------------------------
    def crds(self) -> list:
        """The CustomResourceDefinitions as the real apiserver's discovery, /openapi/v3 and request
        routing see them: from its CRD informer's cache, in memory, so they answer while etcd has no
        quorum (kubectl apply reads discovery and OpenAPI before its request, which then fails with
        etcd's own error). The first call lists synchronously (an informer syncs before the server
        serves; an etcd that does not answer fails it, as before); then a thread lists again every
        CRD_REFRESH_S and keeps the last list when etcd does not answer; this store's own CRD
        writes refresh it at once."""
        if self._crds is None:
            self._crds = self._list_crds()
            self._start_crd_refresher()
        return copy.deepcopy(self._crds)

    def _list_crds(self) -> list:
        return self.list(_CRD_RESOURCE)

    def _start_crd_refresher(self) -> None:
        if self._crd_refresher is not None:
            return

        def refresh() -> None:
            while True:
                time.sleep(self.CRD_REFRESH_S)
                self._refresh_crds()
        self._crd_refresher = threading.Thread(target=refresh, name="crd-informer", daemon=True)
        self._crd_refresher.start()

    def _refresh_crds(self) -> None:
        try:
            self._crds = self._list_crds()
        except EtcdError:
            pass   # etcd does not answer: the informer keeps what it had

    def get(self, resource: Resource, namespace: str | None, name: str) -> dict | None:
        kv = self._get(self.key(resource, namespace, name))
        return _kv_value(kv) if kv else None

    def list_with_revision(self, resource: Resource, namespace: str | None = None) -> tuple:
        prefix = self.resource_prefix(resource)
        if namespace and resource.namespaced:
            prefix += f"{namespace}/"
        kvs, revision = self._range(prefix)
        return [_kv_value(kv) for kv in kvs], str(revision)

    def list(self, resource: Resource, namespace: str | None = None) -> list:
        return self.list_with_revision(resource, namespace)[0]

    def write(self, resource: Resource, obj: dict, mode: str) -> tuple:
        state = self.state()
        apistore._check_namespace(state, resource, obj)
        outcome = []

        def update(previous):
            apistore.check_write(mode, resource, obj, previous)
            result, stored = apistore.next_version(previous, obj, None)
            outcome[:] = [result]
            return None if result == "unchanged" else stored
        stored = self.guaranteed_update(self.key(resource, obj["metadata"].get("namespace"), obj["metadata"]["name"]), update)
        if resource == _CRD_RESOURCE and self._crds is not None:
            self._refresh_crds()
        return outcome[0], stored

    def delete(self, resource: Resource, namespace: str | None, name: str) -> dict | None:
        key = self.key(resource, namespace, name)
        answer = self._call("/v3/kv/deleterange", {"key": _b64(key), "prev_kv": True})
        previous = answer.get("prev_kvs") or []
        if resource == _CRD_RESOURCE and self._crds is not None:
            self._refresh_crds()
        return _kv_value(previous[0]) if previous else None

    # -- nodes --------------------------------------------------------------------------------
    def node(self, name: str) -> dict | None:
        kv = self._get(self.node_key(name))
        return _kv_value(kv) if kv else None

    def nodes(self) -> list:
        kvs, _ = self._range(f"{self.prefix}/minions/")
        return sorted((_kv_value(kv) for kv in kvs), key=lambda node: node["metadata"]["name"])

    def update_node(self, name: str, change) -> dict:
        """GuaranteedUpdate of the Node. A podCIDR chosen here is chosen against the other Nodes as
        listed: the txn also requires that none of them changed since (what the folder's lock and the
        real kube-controller-manager's single allocator give), so two apiservers registering two
        nodes at once cannot hand out the same /24."""
        state = self.state()
        prefix = f"{self.prefix}/minions/"
        listed = []   # the revision of the Node list the podCIDR was chosen against, if one was

        def others() -> list:
            kvs, revision = self._range(prefix)
            listed.append(revision)
            return [_kv_value(kv) for kv in kvs]

        def update(node):
            listed.clear()
            node = node or apistore._skeleton(name)
            change(node)
            apistore._allocate_pod_cidr(state, node, others)
            return node

        def guards() -> list:
            return [{"target": "MOD", "key": _b64(prefix), "range_end": prefix_end(prefix), "result": "LESS",
                     "mod_revision": str(int(listed[-1]) + 1)}] if listed else []
        return self.guaranteed_update(self.node_key(name), update, guards)

    def delete_node(self, name: str) -> bool:
        answer = self._call("/v3/kv/deleterange", {"key": _b64(self.node_key(name))})
        return int(answer.get("deleted", 0)) > 0


def from_flags(flags: dict, timeout: float = DEFAULT_TIMEOUT) -> EtcdStore:
    """The store of an apiserver manifest's etcd flags (kubeadm writes them, see kubeadm/manifests.py).
    StandinError, worded as the real apiserver's start-up error, when they are missing or unusable."""
    files = [paths.host_path(flags.get(flag, "")) for flag in ("etcd-cafile", "etcd-certfile", "etcd-keyfile")]
    for name in files:
        if not os.path.isfile(name):
            raise StandinError(f"open {name}: no such file or directory")
    try:
        client = Client(flags.get("etcd-servers", "").split(","), *files, timeout)
    except (OSError, ValueError) as exc:
        raise StandinError(str(exc)) from None
    return EtcdStore(client, flags.get("etcd-prefix") or "/registry")


def selected(flags: dict, settings: dict) -> EtcdStore | None:
    """The apiserver's backend: None (the shared folder) unless settings.json says "apiserver_storage": "etcd"."""
    if settings.get("apiserver_storage") != "etcd":
        return None
    store = from_flags(flags, float(settings.get("storage_timeout_seconds") or DEFAULT_TIMEOUT))
    if not store.client.wait_connected(float(settings.get("etcd_dial_timeout_seconds") or DIAL_TIMEOUT)):
        raise StandinError("context deadline exceeded")
    return store

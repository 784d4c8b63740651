"""The kube-apiserver stand-in: an HTTPS server run by the kubelet from the static pod.

Serves /healthz /livez /readyz /version, discovery (cluster-info with JWS signatures
for the bootstrap tokens), Nodes, Pods, CSR signing for the kubelet TLS bootstrap, and
a generic store for applied objects. Its data is the shared state folder, so every
control-plane node's apiserver serves the same cluster, as they would over one etcd.

Authentication as the real one: client certificates signed by the cluster CA
(--client-ca-file), bootstrap tokens (Bearer), or anonymous (health, version and
cluster-info only). Authorization is simplified: any certificate user may do anything.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import apistore, clusterdata, discovery, disruption, etcdstore, openapi, patches, paths, pki, selectors, tables, timefmt, versions
from .apistore import ApiStatus
from .errors import StandinError
from .state import ClusterState

ANONYMOUS_PATHS = ("/healthz", "/livez", "/readyz", "/version", "/api", "/apis",
                   "/api/v1/namespaces/kube-public/configmaps/cluster-info")
KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"
# the checks each health endpoint lists (kube-apiserver 1.30); "etcd" and "etcd-readiness" ask the store
_POST_START = ["poststarthook/start-apiserver-admission-initializer", "poststarthook/generic-apiserver-start-informers",
               "poststarthook/start-system-namespaces-controller", "poststarthook/bootstrap-controller",
               "poststarthook/rbac/bootstrap-roles", "poststarthook/scheduling/bootstrap-system-priority-classes"]
HEALTH_CHECKS = {"healthz": ["ping", "log", "etcd", *_POST_START],
                 "livez": ["ping", "log", "etcd", *_POST_START],
                 "readyz": ["ping", "log", "etcd", "etcd-readiness", "informer-sync", *_POST_START, "shutdown"]}
# what kubeadm's RBAC rules let a bootstrap token read during a join (kubeadm:nodes-kubeadm-config,
# kubeadm:kubelet-config, kube-proxy, kubeadm:kubeadm-certs, kubeadm:get-nodes)
BOOTSTRAP_READABLE = ("/api/v1/namespaces/kube-system/configmaps/kubeadm-config",
                      "/api/v1/namespaces/kube-system/configmaps/kubelet-config",
                      "/api/v1/namespaces/kube-system/configmaps/kube-proxy",
                      "/api/v1/namespaces/kube-system/secrets/kubeadm-certs")
BOOTSTRAP_GROUP = "system:bootstrappers:kubeadm:default-node-token"
STANDIN_USER_AGENT = "play-standin"   # httpclient.py: the stand-in kubectl, kubelet and kubeadm


def parse_flags(argv: list) -> dict:
    flags = {}
    for arg in argv:
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            flags[key] = value
    return flags


def image_version() -> str:
    image = os.environ.get("PLAY_STANDIN_IMAGE", "")
    return image.rsplit(":", 1)[1] if ":" in image else "v0.0.0"


class Identity:
    def __init__(self, user: str, groups=(), bootstrap: bool = False):
        self.user, self.groups, self.bootstrap = user, list(groups), bootstrap


class ApiServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context: ssl.SSLContext, flags: dict):
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.address_family = family
        self.tls = context
        self.flags = flags
        self.version = image_version()
        self.store = etcdstore.selected(flags, ClusterState().settings())   # None: the shared folder
        super().__init__(address, Handler)

    def get_request(self):
        # The TLS handshake runs in the request thread (Handler.setup), so one client
        # that connects and says nothing (a TCP health check) never blocks accept().
        conn, addr = self.socket.accept()
        return self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), addr

    def handle_error(self, request, client_address):
        pass   # failed handshakes from health checks are normal; the real one logs at V(4)


class Handler(BaseHTTPRequestHandler):
    server_version = "kube-apiserver"
    protocol_version = "HTTP/1.1"

    def setup(self):
        self.request.settimeout(10)
        self.request.do_handshake()
        super().setup()

    def log_message(self, *args):
        pass

    # -- plumbing -----------------------------------------------------------------------
    @property
    def state(self) -> ClusterState:
        state = ClusterState()
        state.objects_store = self.server.store
        return state

    def _send(self, code: int, body, content_type: str = "application/json", headers: dict | None = None):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body, indent=2).encode())
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if self.standin_client:
            self.end_headers()
            self.wfile.write(data)
        else:
            # headers and body in one segment: Go's client otherwise waits out Nagle's algorithm
            # and a delayed ACK (40 ms) on every request
            self._headers_buffer.extend([b"\r\n", data])
            self.flush_headers()

    @property
    def standin_client(self) -> bool:
        """The stand-ins' own clients, whose answers stay as they were; other clients (the real
        kubectl) get the objects as a real cluster shows them (realistic_pod)."""
        return self.headers.get("User-Agent", "") == STANDIN_USER_AGENT

    def _send_list(self, kind: str, api_version: str, listing, query: dict):
        """A list (listing() gives its items), filtered by the query's selectors: the items, the
        Table kubectl get asks for, or with ?watch=true a stream of watch events."""
        if (query.get("watch") or [""])[0] in ("true", "1"):
            return self._watch(lambda: selectors.select(listing(), query, kind), query, kind)
        items = selectors.select(listing(), query, kind)
        if discovery.accepts(self.headers.get("Accept", ""), "meta.k8s.io", "v1", "Table"):
            return self._send(200, tables.table(kind, items, (query.get("includeObject") or ["Metadata"])[0]),
                              "application/json;as=Table;v=v1;g=meta.k8s.io")
        self._send(200, {"apiVersion": api_version, "kind": f"{kind}List", "metadata": {}, "items": items})

    def _watch(self, listing, query: dict, kind: str):
        """?watch=true (apiserver/pkg/endpoints/handlers/watch.go): newline-separated JSON events,
        chunked, until timeoutSeconds. The stand-in has no event log: the objects are read again
        every half second, and each one appearing, changing or going away is an event (the first
        read gives ADDED for every object, as a watch without a resourceVersion does; with one,
        the client has them already)."""
        timeout = min(float((query.get("timeoutSeconds") or ["1800"])[0]), 1800.0)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.request.settimeout(None)
        known: dict = {}
        if (query.get("resourceVersion") or ["0"])[0] not in ("", "0"):
            # from a list the client has: only what changes after it
            known = {(o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in listing()}
        as_table = discovery.accepts(self.headers.get("Accept", ""), "meta.k8s.io", "v1", "Table")
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                current = {(o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in listing()}
                events = [("ADDED" if key not in known else "MODIFIED", obj) for key, obj in current.items()
                          if known.get(key) != obj]
                events += [("DELETED", obj) for key, obj in known.items() if key not in current]
                for event, obj in events:
                    if as_table:   # kubectl get --watch: each object as a one-row Table
                        obj = tables.table(kind, [obj], (query.get("includeObject") or ["Metadata"])[0])
                    line = json.dumps({"type": event, "object": obj}).encode() + b"\n"
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                known = current
                time.sleep(0.5)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass   # the client went away
        self.close_connection = True

    def _send_object(self, obj: dict, query: dict, code: int = 200, headers: dict | None = None):
        if discovery.accepts(self.headers.get("Accept", ""), "meta.k8s.io", "v1", "Table"):
            return self._send(code, tables.table(obj.get("kind", ""), [obj], (query.get("includeObject") or ["Metadata"])[0]),
                              "application/json;as=Table;v=v1;g=meta.k8s.io", headers)
        self._send(code, obj, headers=headers)

    def _read_body(self) -> bytes:
        """The request body, read once, before routing: a route that ignores it (a DELETE's
        DeleteOptions, an Eviction) must not leave it in the stream of a kept-alive connection."""
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _body(self) -> dict:
        raw = self.raw_body or b"{}"
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            raise ApiStatus(400, "BadRequest", "the body of the request was in an unknown format") from None

    def _identity(self) -> Identity | None:
        cert = self.request.getpeercert()
        if cert:
            subject = dict(item[0] for item in cert.get("subject", ()))
            orgs = [value for rdn in cert.get("subject", ()) for key, value in rdn if key == "organizationName"]
            return Identity(subject.get("commonName", ""), orgs)
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            token = auth[len("Bearer "):].strip()
            token_id, _, secret = token.partition(".")
            for known in apistore.valid_tokens(self.state):
                if known["id"] == token_id and known["secret"] == secret and "authentication" in known.get("usages", []):
                    return Identity(f"system:bootstrap:{token_id}",
                                    ["system:bootstrappers", *known.get("groups", [])], bootstrap=True)
            raise ApiStatus(401, "Unauthorized", "Unauthorized")
        return None

    def _authorize(self, method: str, path: str) -> Identity | None:
        identity = self._identity()
        if method == "GET" and path in ANONYMOUS_PATHS:
            return identity
        is_csr = path == "/apis/certificates.k8s.io/v1/certificatesigningrequests" and method == "POST"
        if identity and (not identity.bootstrap or is_csr or self._bootstrap_readable(method, path, identity)):
            return identity
        user = identity.user if identity else "system:anonymous"
        raise ApiStatus(403, "Forbidden", f'forbidden: User "{user}" cannot {method.lower()} path "{path}"')

    @staticmethod
    def _bootstrap_readable(method: str, path: str, identity: Identity) -> bool:
        if method != "GET" or BOOTSTRAP_GROUP not in identity.groups:
            return False
        one_node = path.startswith("/api/v1/nodes/") and path.count("/") == 4
        return path in BOOTSTRAP_READABLE or one_node

    def _dispatch(self, method: str):
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query)
        try:
            self.raw_body = self._read_body()
            identity = self._authorize(method, path)
            self._route(method, path, query, identity)
        except ApiStatus as status:
            self._send(status.code, status.body())
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):  # noqa: N802
        self._dispatch("GET")

    def do_POST(self):  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self):  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self):  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self):  # noqa: N802
        self._dispatch("DELETE")

    # -- routes -------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict, identity):
        if path in ("/healthz", "/livez", "/readyz"):
            self._health(path.strip("/"), query)
        elif path == "/version":
            info = versions.version_info(self.server.version)
            self._send(200, info)
        elif path in ("/api", "/apis") and discovery.wants_aggregated(self.headers.get("Accept", "")):
            registry = apistore.registry(self.state)
            self._send(200, discovery.aggregated(registry, core=path == "/api"), discovery.AGGREGATED_V2)
        elif path == "/api":
            self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
        elif method == "GET" and self._discovery(path):
            pass
        elif method == "GET" and (path == "/openapi/v3" or path.startswith("/openapi/v3/")):
            registry = apistore.registry(self.state)
            document = (openapi.index(registry, self.server.version) if path == "/openapi/v3"
                        else openapi.for_path(registry, path[len("/openapi/v3/"):], self.server.version))
            if document is None:
                raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
            self._send(200, document)
        elif method == "GET" and path == "/api/v1/namespaces/kube-public/configmaps/cluster-info":
            self._send(200, apistore.cluster_info(self.state))
        elif path == "/apis/certificates.k8s.io/v1/certificatesigningrequests" and method == "POST":
            self._send(201, self._sign_csr(self._body(), identity))
        elif path.startswith("/api/v1/nodes"):
            self._nodes(method, path[len("/api/v1/nodes"):].strip("/"), query)
        elif path.startswith("/api/v1/namespaces/") and path.split("/")[5:6] == ["pods"] and path.endswith("/eviction"):
            if method != "POST":
                raise ApiStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            pieces = path.strip("/").split("/")
            self._send(201, disruption.evict(self.state, pieces[3], pieces[5]))
        elif path == "/api/v1/pods" or (path.startswith("/api/v1/namespaces/") and path.split("/")[5:6] == ["pods"]):
            self._pods(method, path, query)
        elif path.startswith(("/api/", "/apis/")):
            self._objects(method, path, query)
        else:
            raise ApiStatus(404, "NotFound", "the server could not find the requested resource")

    def _health(self, endpoint: str, query: dict):
        """healthz/livez/readyz (apiserver/pkg/server/healthz): "ok", or every check's line and 500 when
        one fails; the etcd check is the store's (a Get bounded by --etcd-healthcheck-timeout), and
        its reason stays withheld from the answer, as the real one keeps it for its log."""
        failing = self.server.store.health_error() if self.server.store else None
        verbose = "verbose" in parse_qs(urlsplit(self.path).query, keep_blank_values=True)   # ?verbose has no value
        if failing is None and not verbose:
            return self._send(200, "ok", "text/plain; charset=utf-8")
        lines = []
        for check in HEALTH_CHECKS[endpoint]:
            broken = failing is not None and check.startswith("etcd")
            lines.append(f"[-]{check} failed: reason withheld" if broken else f"[+]{check} ok")
        lines.append(f"{endpoint} check {'failed' if failing is not None else 'passed'}")
        self._send(500 if failing is not None else 200, "\n".join(lines) + "\n", "text/plain; charset=utf-8",
                   {"X-Content-Type-Options": "nosniff"})

    def _discovery(self, path: str) -> bool:
        """The legacy discovery documents: /apis, /api/v1, /apis/GROUP, /apis/GROUP/VERSION."""
        registry = apistore.registry(self.state)
        pieces = path.strip("/").split("/")
        document = None
        if path == "/apis":
            document = discovery.api_group_list(registry)
        elif pieces[0] == "api" and len(pieces) == 2:
            document = discovery.api_resource_list(registry, "", pieces[1])
        elif pieces[0] == "apis" and len(pieces) == 2:
            document = discovery.api_group(registry, pieces[1])
        elif pieces[0] == "apis" and len(pieces) == 3:
            document = discovery.api_resource_list(registry, pieces[1], pieces[2])
        if document is None:
            return False
        self._send(200, document)
        return True

    def _patched(self, original: dict) -> dict:
        """A PATCH body with a patch media type applied to the stored object (handlers/patch.go)."""
        return patches.apply(self.headers.get("Content-Type", ""), original, self._body())

    def _nodes(self, method: str, rest: str, query: dict):
        state = self.state
        name, _, sub = rest.partition("/")
        node_resource = apistore.registry(state).by_kind("v1", "Node")
        if method == "GET" and not name:
            self._send_list("Node", "v1", lambda: apistore.nodes(state), query)
        elif method == "GET":
            for node in apistore.nodes(state):
                if node["metadata"]["name"] == name:
                    return self._send_object(node, query)
            raise apistore.not_found(node_resource, name)
        elif method == "PATCH" and name and not sub and patches.is_patch(self.headers.get("Content-Type", "")):
            # the real kubectl: cordon/uncordon/drain send a strategic merge patch, label/annotate a merge patch
            stored = apistore.stored_node(state, name)
            if not stored:
                raise apistore.not_found(node_resource, name)
            patched = self._patched(stored)
            apistore.patch_node(state, name, {}, replace=patched)
            self._send(200, next(n for n in apistore.nodes(state) if n["metadata"]["name"] == name))
        elif method == "POST" and not name:
            body = self._body()
            name = body["metadata"]["name"]
            stored = apistore.stored_node(state, name)
            if stored and apistore._condition(stored, "Ready"):
                raise ApiStatus(409, "AlreadyExists", f'nodes "{name}" already exists')
            self._send(201, apistore.kubelet_status_update(state, name, body))
        elif method in ("PUT", "PATCH") and name and sub == "status":
            if not apistore.stored_node(state, name):   # deleted (kubeadm reset, kubectl delete node): no resurrection
                raise apistore.not_found(node_resource, name)
            self._send(200, apistore.kubelet_status_update(state, name, self._body()))
        elif method == "PATCH" and name and not sub:
            # kubectl cordon/uncordon/drain/label/annotate: a merge patch of metadata and spec
            if not apistore.stored_node(state, name):
                raise apistore.not_found(node_resource, name)
            apistore.patch_node(state, name, self._body())
            self._send(200, next(n for n in apistore.nodes(state) if n["metadata"]["name"] == name))
        elif method == "DELETE" and name:
            if not apistore.delete_node(state, name):
                raise apistore.not_found(node_resource, name)
            self._send(200, {"kind": "Status", "apiVersion": "v1", "status": "Success",
                             "details": {"name": name, "kind": "nodes"}})
        else:
            raise ApiStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _pods(self, method: str, path: str, query: dict):
        if method != "GET":
            raise ApiStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        pieces = path.strip("/").split("/")
        namespace = pieces[3] if pieces[2] == "namespaces" else None

        def listing() -> list:
            all_pods = apistore.pods(self.state)
            if not self.standin_client:
                all_pods = apistore.realistic_pods(self.state, all_pods)
            return [p for p in all_pods if namespace is None or p["metadata"]["namespace"] == namespace]
        if len(pieces) > 5:
            for pod in listing():
                if pod["metadata"]["name"] == pieces[5]:
                    return self._send_object(pod, query)
            raise ApiStatus(404, "NotFound", f'pods "{pieces[5]}" not found', {"name": pieces[5], "kind": "pods"})
        self._send_list("Pod", "v1", listing, query)

    def _objects(self, method: str, path: str, query: dict):
        state = self.state
        pieces = path.strip("/").split("/")
        if pieces[0] == "api":
            group, version, rest = "", pieces[1], pieces[2:]
        else:
            if len(pieces) < 3:
                raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
            group, version, rest = pieces[1], pieces[2], pieces[3:]
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        if not rest:
            raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
        resource = apistore.registry(state).by_path(group, version, rest[0])
        if not resource:
            raise ApiStatus(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else None
        if method == "GET" and not name:
            def listing() -> list:
                items = [disruption.with_status(state, o)
                         for o in self._uncollected(state, apistore.list_objects(state, resource, namespace))]
                return self._with_builtin_namespaces(items) if resource.kind == "Namespace" else items
            self._send_list(resource.kind, resource.api_version, listing, query)
        elif method == "GET":
            if resource.kind == "Namespace" and name in apistore.BUILTIN_NAMESPACES:
                return self._send_object(self._builtin_namespace(name), query)
            found = apistore.get_object(state, resource, namespace, name)
            if not self._uncollected(state, [found]):
                raise apistore.not_found(resource, name)
            self._send_object(disruption.with_status(state, found), query)
        elif method == "PATCH" and name and patches.is_patch(self.headers.get("Content-Type", "")):
            # the real kubectl apply: a strategic merge patch (built-in kinds) or merge patch (custom
            # resources) of the stored object, with its last-applied-configuration annotation
            patched = self._patched(apistore.get_object(state, resource, namespace, name))
            _, stored = apistore.apply_object(state, resource, patched)
            self._send(200, disruption.with_status(state, stored))
        elif method == "POST" and not name and not self.standin_client:
            # create (kubectl apply of a new object, kubectl create): AlreadyExists when it is there
            body = self._body()
            if namespace and resource.namespaced:
                body.setdefault("metadata", {})["namespace"] = namespace
            existing = body.get("metadata", {}).get("name")
            if existing and apistore.find_object(state, resource, body["metadata"].get("namespace") or "default", existing):
                raise apistore.already_exists(resource, existing)
            _, stored = apistore.apply_object(state, resource, body)
            self._send(201, disruption.with_status(state, stored))
        elif method in ("PATCH", "PUT", "POST"):
            body = self._body()
            if namespace and resource.namespaced:
                body.setdefault("metadata", {})["namespace"] = namespace
            if name:
                body.setdefault("metadata", {})["name"] = name
            outcome, stored = apistore.apply_object(state, resource, body)
            self._send(201 if outcome == "created" else 200, stored, headers={"X-Standin-Apply": outcome})
        elif method == "DELETE" and name:
            self._send(200, apistore.delete_object(state, resource, namespace, name))
        else:
            raise ApiStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _uncollected(self, state: ClusterState, items: list) -> list:
        """etcd mode: what the token cleaner and the garbage collector would have removed is gone
        (expired bootstrap tokens, the kubeadm-certs Secret of an expired token); the folder keeps
        its own expiry."""
        if not self.server.store:
            return items
        now = timefmt.now()
        return [item for item in items if not clusterdata.collected(state, item, now)]

    def _builtin_namespace(self, name: str) -> dict:
        created = (clusterdata.record(self.state) or {}).get("createdAt") or timefmt.rfc3339(timefmt.now())
        return {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name, "creationTimestamp": created,
                             "labels": {"kubernetes.io/metadata.name": name}},
                "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}

    def _with_builtin_namespaces(self, items: list) -> list:
        names = {item["metadata"]["name"] for item in items}
        extra = [self._builtin_namespace(n) for n in apistore.BUILTIN_NAMESPACES if n not in names]
        return sorted(items + extra, key=lambda item: item["metadata"]["name"])

    # -- the kubelet TLS bootstrap: csrapprover + csrsigner of kube-controller-manager ------
    def _sign_csr(self, body: dict, identity: Identity) -> dict:
        spec = body.get("spec", {})
        if spec.get("signerName") != KUBELET_SIGNER:
            raise ApiStatus(400, "BadRequest", f'signerName "{spec.get("signerName")}" is not served by this cluster')
        csr_pem = base64.b64decode(spec.get("request", ""))
        common_name, orgs = pki.csr_subject(csr_pem)
        if not common_name.startswith("system:node:") or orgs != ["system:nodes"]:
            raise ApiStatus(422, "Invalid", f'CertificateSigningRequest is invalid: spec.request: Invalid value: '
                                            f'"{common_name}": not a kubelet client certificate request')
        ca_file = paths.host_path(self.server.flags.get("client-ca-file", "/etc/kubernetes/pki/ca.crt"))
        ca_key = os.path.join(os.path.dirname(ca_file), "ca.key")
        certificate = pki.sign_csr(ca_file, ca_key, csr_pem, "client")
        name = f"csr-{apistore.suffix(common_name, str(timefmt.now()))}"
        return {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest",
                "metadata": {"name": name, "creationTimestamp": timefmt.rfc3339(timefmt.now())},
                "spec": {**spec, "username": identity.user, "groups": identity.groups},
                "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "AutoApproved",
                                           "message": "Auto approving kubelet client certificate after SubjectAccessReview."}],
                           "certificate": base64.b64encode(certificate).decode()}}


def tls_context(flags: dict) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths.host_path(flags["tls-cert-file"]), paths.host_path(flags["tls-private-key-file"]))
    if flags.get("client-ca-file"):
        context.load_verify_locations(paths.host_path(flags["client-ca-file"]))
        context.verify_mode = ssl.CERT_OPTIONAL
    return context


def main(argv: list) -> int:
    flags = parse_flags(argv)
    address = (flags.get("bind-address") or "0.0.0.0", int(flags.get("secure-port") or 6443))
    try:
        server = ApiServer(address, tls_context(flags), flags)
    except StandinError as exc:   # the etcd storage's flags or files (etcdstore.from_flags)
        print(f'E0000 run.go:74] "command failed" err="{exc.message}"', file=sys.stderr)
        return 1
    except OSError as exc:
        print(f'E0000 run.go:74] "command failed" err="failed to create listener: failed to listen on '
              f'{address[0]}:{address[1]}: listen tcp {address[0]}:{address[1]}: bind: {exc.strerror.lower()}"',
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"I0000 secure_serving.go:213] Serving securely on {address[0]}:{address[1]}", file=sys.stderr, flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

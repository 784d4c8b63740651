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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import apistore, disruption, paths, pki, timefmt, versions
from .apistore import ApiStatus
from .state import ClusterState

ANONYMOUS_PATHS = ("/healthz", "/livez", "/readyz", "/version", "/api", "/apis",
                   "/api/v1/namespaces/kube-public/configmaps/cluster-info")
KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"


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
        return ClusterState()

    def _send(self, code: int, body, content_type: str = "application/json", headers: dict | None = None):
        data = body if isinstance(body, bytes) else (
            body.encode() if isinstance(body, str) else json.dumps(body, indent=2).encode())
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
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
        if identity and (not identity.bootstrap or is_csr):
            return identity
        user = identity.user if identity else "system:anonymous"
        raise ApiStatus(403, "Forbidden", f'forbidden: User "{user}" cannot {method.lower()} path "{path}"')

    def _dispatch(self, method: str):
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query)
        try:
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
            self._send(200, "ok", "text/plain; charset=utf-8")
        elif path == "/version":
            info = versions.version_info(self.server.version)
            self._send(200, info)
        elif path == "/api":
            self._send(200, {"kind": "APIVersions", "versions": ["v1"]})
        elif path == "/api/v1/namespaces/kube-public/configmaps/cluster-info":
            self._send(200, apistore.cluster_info(self.state))
        elif path == "/apis/certificates.k8s.io/v1/certificatesigningrequests" and method == "POST":
            self._send(201, self._sign_csr(self._body(), identity))
        elif path.startswith("/api/v1/nodes"):
            self._nodes(method, path[len("/api/v1/nodes"):].strip("/"))
        elif path.startswith("/api/v1/namespaces/") and path.split("/")[5:6] == ["pods"] and path.endswith("/eviction"):
            if method != "POST":
                raise ApiStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            pieces = path.strip("/").split("/")
            self._send(201, disruption.evict(self.state, pieces[3], pieces[5]))
        elif path == "/api/v1/pods" or (path.startswith("/api/v1/namespaces/") and path.split("/")[5:6] == ["pods"]):
            self._pods(path)
        elif path.startswith(("/api/", "/apis/")):
            self._objects(method, path, query)
        else:
            raise ApiStatus(404, "NotFound", "the server could not find the requested resource")

    def _nodes(self, method: str, rest: str):
        state = self.state
        name, _, sub = rest.partition("/")
        node_resource = apistore.registry(state).by_kind("v1", "Node")
        if method == "GET" and not name:
            self._send(200, {"apiVersion": "v1", "kind": "NodeList", "metadata": {}, "items": apistore.nodes(state)})
        elif method == "GET":
            for node in apistore.nodes(state):
                if node["metadata"]["name"] == name:
                    return self._send(200, node)
            raise apistore.not_found(node_resource, name)
        elif method == "POST" and not name:
            body = self._body()
            name = body["metadata"]["name"]
            if state.node(name) and apistore._condition(state.node(name), "Ready"):
                raise ApiStatus(409, "AlreadyExists", f'nodes "{name}" already exists')
            self._send(201, apistore.kubelet_status_update(state, name, body))
        elif method in ("PUT", "PATCH") and name and sub == "status":
            if not state.node(name):   # deleted (kubeadm reset, kubectl delete node): no resurrection
                raise apistore.not_found(node_resource, name)
            self._send(200, apistore.kubelet_status_update(state, name, self._body()))
        elif method == "PATCH" and name and not sub:
            # kubectl cordon/uncordon/drain/label/annotate: a merge patch of metadata and spec
            if not state.node(name):
                raise apistore.not_found(node_resource, name)
            apistore.patch_node(state, name, self._body())
            self._send(200, next(n for n in apistore.nodes(state) if n["metadata"]["name"] == name))
        elif method == "DELETE" and name:
            if not state.delete_node(name):
                raise apistore.not_found(node_resource, name)
            self._send(200, {"kind": "Status", "apiVersion": "v1", "status": "Success",
                             "details": {"name": name, "kind": "nodes"}})
        else:
            raise ApiStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _pods(self, path: str):
        all_pods = apistore.pods(self.state)
        pieces = path.strip("/").split("/")
        if pieces[2] == "namespaces":
            namespace = pieces[3]
            all_pods = [p for p in all_pods if p["metadata"]["namespace"] == namespace]
            if len(pieces) > 5:
                for pod in all_pods:
                    if pod["metadata"]["name"] == pieces[5]:
                        return self._send(200, pod)
                raise ApiStatus(404, "NotFound", f'pods "{pieces[5]}" not found', {"name": pieces[5], "kind": "pods"})
        self._send(200, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": all_pods})

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
            items = [disruption.with_status(state, o) for o in apistore.list_objects(state, resource, namespace)]
            if resource.kind == "Namespace":
                items = self._with_builtin_namespaces(items)
            self._send(200, {"apiVersion": resource.api_version, "kind": f"{resource.kind}List",
                             "metadata": {}, "items": items})
        elif method == "GET":
            if resource.kind == "Namespace" and name in apistore.BUILTIN_NAMESPACES:
                return self._send(200, self._builtin_namespace(name))
            self._send(200, disruption.with_status(state, apistore.get_object(state, resource, namespace, name)))
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

    def _builtin_namespace(self, name: str) -> dict:
        created = (self.state.cluster() or {}).get("createdAt") or timefmt.rfc3339(timefmt.now())
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

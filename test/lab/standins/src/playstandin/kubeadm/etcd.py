"""kubeadm's stacked etcd membership (cmd/kubeadm/app/util/etcd and phases/etcd/local.go).

On a lab host the etcd static pod runs the real etcd (Debian's), and kubeadm manages its
members the way the real one does, through etcd's API over TLS with the healthcheck-client
certificate (etcdutil.NewFromCluster): the endpoints are the `advertise-client-urls`
annotations of the etcd pods; a joining control plane is added as a learner before its etcd
starts, its manifest gets the member list and --initial-cluster-state=existing, and it is
promoted once in sync; `kubeadm reset` removes its own member unless it is the last one.
The stand-in speaks etcd's v3 JSON gateway (/v3/cluster/member/...), which etcd 3.4 serves
on its client port, instead of gRPC.

In a fake root (no systemd: several "nodes" on one loopback address, no etcd process) the
member list is a document in the shared state instead, as it was before etcd ran for real;
never in etcd mode (settings.json "apiserver_storage": "etcd"), where the cluster is its etcd
and the members are etcd's own MemberList.
"""

from __future__ import annotations

import os
import time

import yaml

from .. import apistore, clusterdata, httpclient, paths
from ..apistore import ApiStatus
from ..errors import StandinError
from ..state import ClusterState

CLIENT_PORT, PEER_PORT = 2379, 2380
ENDPOINTS_ANNOTATION = "kubeadm.kubernetes.io/etcd.advertise-client-urls"
HEALTHY_CHECK_INTERVAL, HEALTHY_CHECK_RETRIES = 5.0, 8   # local.go: up to 40s
PROMOTE_INTERVAL, PROMOTE_RETRIES = 1.0, 60
RETRY_INTERVAL, RETRIES = 1.0, 15
REQUEST_TIMEOUT = 5.0
ENDPOINTS_POLL_INTERVAL, ENDPOINTS_POLL_TIMEOUT = 0.5, 60.0   # constants.KubernetesAPICallRetryInterval, timeouts
ETCD_BINARY = "/usr/bin/etcd"


def _url(ip: str, port: int) -> str:
    return f"https://[{ip}]:{port}" if ":" in ip else f"https://{ip}:{port}"


def client_url(ip: str) -> str:
    return _url(ip, CLIENT_PORT)


def peer_url(ip: str) -> str:
    return _url(ip, PEER_PORT)


def runs_for_real() -> bool:
    """True where the kubelet runs /usr/bin/etcd (a systemd host), False in a fake root."""
    return paths.systemd_running()


def uses_real_etcd(state: ClusterState) -> bool:
    """Members through etcd's API: on a lab host, and wherever the API's objects are in etcd."""
    return runs_for_real() or clusterdata.in_objects(state)


def image_pull_errors(image: str) -> list:
    """checks.go ImagePullCheck for the etcd image: here the "image" is Debian's etcd binary
    (play-standin-etcd, a Depends of the kubelet), so a host without it fails like a failed pull."""
    if not runs_for_real() or os.access(ETCD_BINARY, os.X_OK):
        return []
    return [("ImagePull", f"failed to pull image {image}: output: play lab: the etcd image is Debian's etcd-server "
                          f"package and {ETCD_BINARY} is missing, error: exit status 1")]


def _endpoints_once(state: ClusterState) -> tuple:
    """(the etcd pods' advertise-client-urls annotations, the number of etcd pods)."""
    found, etcd_pods = [], 0
    for pod in apistore.pods(state):
        if pod["metadata"].get("labels", {}).get("component") != "etcd":
            continue
        etcd_pods += 1
        url = pod["metadata"].get("annotations", {}).get(ENDPOINTS_ANNOTATION)
        if url and url not in found:
            found.append(url)
    return found, etcd_pods


def endpoints_from_pods(state: ClusterState, interval: float = ENDPOINTS_POLL_INTERVAL,
                        timeout: float = ENDPOINTS_POLL_TIMEOUT) -> list:
    """etcdutil.getEtcdEndpointsWithRetry: polled until every etcd pod shows its annotation, since
    a kubelet that just started its etcd may not have mirrored the static pod yet (the real one
    polls every 500ms for the KubernetesAPICall timeout, one minute). An error answer or a failed
    request is tried again too ("tolerate some unexpected transient failures from the API server or
    load balancers": an apiserver answers 504 while its etcd does not, a load balancer may close the
    connection); at the timeout the last error is the message."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            found, etcd_pods = _endpoints_once(state)
            last_error = None
        except (ApiStatus, StandinError) as exc:
            found, etcd_pods, last_error = [], 0, exc
        if found and len(found) >= etcd_pods:
            return found
        if time.monotonic() >= deadline:
            if last_error is not None:
                raise StandinError(f"could not retrieve the list of etcd endpoints: {last_error.message}")
            return found   # Client() names the missing annotation when none was found
        time.sleep(interval)


class Client:
    """etcdutil.Client: every call goes to the first endpoint that answers."""

    def __init__(self, endpoints: list, cert_dir: str):
        if not endpoints:
            raise StandinError("etcd cluster is not healthy: no etcd endpoints found: the etcd pods have no "
                               f'"{ENDPOINTS_ANNOTATION}" annotation')
        self.endpoints = list(endpoints)
        folder = os.path.join(paths.host_path(cert_dir), "etcd")
        self.ca_pem = _read(os.path.join(folder, "ca.crt"))
        self.cert_pem = _read(os.path.join(folder, "healthcheck-client.crt"))
        self.key_pem = _read(os.path.join(folder, "healthcheck-client.key"))

    def _post(self, endpoint: str, path: str, body: dict) -> dict:
        answer = httpclient.request(endpoint, path, "POST", ca_pem=self.ca_pem, client_cert=self.cert_pem,
                                    client_key=self.key_pem, body=body, timeout=REQUEST_TIMEOUT)
        data = answer.json() or {}
        if answer.status != 200:
            raise StandinError(str(data.get("error") or data.get("message") or f"etcd answered HTTP {answer.status}"))
        return data

    def call(self, path: str, body: dict) -> dict:
        last = None
        for endpoint in self.endpoints:
            try:
                return self._post(endpoint, path, body)
            except httpclient.TransportError as exc:
                last = StandinError(exc.wrapped("Post"))
            except StandinError as exc:
                last = exc
        raise last

    def call_retrying(self, path: str, body: dict) -> dict:
        """etcdutil's etcdBackoff: member changes are refused while the cluster settles (e.g. a member
        that started seconds ago makes etcd answer "unhealthy cluster")."""
        for attempt in range(RETRIES):
            try:
                return self.call(path, body)
            except StandinError:
                if attempt + 1 == RETRIES:
                    raise
            time.sleep(RETRY_INTERVAL)
        raise AssertionError("unreachable")

    def members(self) -> list:
        return self.call("/v3/cluster/member/list", {}).get("members", [])

    def member_id(self, peer: str) -> str | None:
        return next((m["ID"] for m in self.members() if peer in m.get("peerURLs", [])), None)

    def add_learner(self, name: str, peer: str) -> list:
        """AddMemberAsLearner: the member list after the add, the new member named (it has not started)."""
        answer = self.call_retrying("/v3/cluster/member/add", {"peerURLs": [peer], "isLearner": True})
        members = []
        for member in answer.get("members", []):
            urls = member.get("peerURLs", [])
            members.append((name if peer in urls else member.get("name", ""), urls[0] if urls else ""))
        return members

    def promote(self, member: str) -> None:
        """MemberPromote, retried while the learner catches up with the leader."""
        for _ in range(PROMOTE_RETRIES):
            try:
                self.call("/v3/cluster/member/promote", {"ID": member})
                return
            except StandinError as exc:
                last = exc
            time.sleep(PROMOTE_INTERVAL)
        raise StandinError(f"error promoting learner member {member}: {last.message}")

    def available(self) -> bool:
        """WaitForClusterAvailable's test: every endpoint answers a status request."""
        try:
            for endpoint in self.endpoints:
                self._post(endpoint, "/v3/maintenance/status", {})
            return True
        except (httpclient.TransportError, StandinError):
            return False

    def wait_available(self) -> None:
        for attempt in range(HEALTHY_CHECK_RETRIES):
            if self.available():
                return
            if attempt + 1 < HEALTHY_CHECK_RETRIES:
                time.sleep(HEALTHY_CHECK_INTERVAL)
        raise StandinError("timeout waiting for etcd cluster to be available")


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise StandinError(f"open {path}: {exc.strerror.lower()}") from None


def check_cluster_health(state: ClusterState, cert_dir: str) -> None:
    """check-etcd: CheckLocalEtcdClusterStatus before a control plane joins."""
    if not uses_real_etcd(state):
        return
    client = Client(endpoints_from_pods(state), cert_dir)
    if not client.available():
        raise StandinError("etcd cluster is not healthy: an etcd endpoint does not answer")


def add_member(state: ClusterState, cert_dir: str, node_name: str, advertise: str) -> tuple:
    """The joining member: (its --initial-cluster value, the client to wait and promote with, or None)."""
    own = f"{node_name}={peer_url(advertise)}"
    if not uses_real_etcd(state):
        with state.locked():
            state.set_etcd_member(node_name, present=True)
        return own, None
    client = Client(endpoints_from_pods(state), cert_dir)
    members = client.add_learner(node_name, peer_url(advertise))
    return ",".join(f"{name}={url}" for name, url in members), client


def finish_join(client: "Client | None", advertise: str) -> None:
    """Promote the learner (by now started), then wait until every member answers."""
    if client is None:
        return
    learner = client.member_id(peer_url(advertise))
    if learner is None:
        raise StandinError(f"could not find a member with peer URL {peer_url(advertise)}")
    client.promote(learner)
    client.wait_available()


def record_init_member(state: ClusterState, node_name: str) -> None:
    """init's single member; only the fake-root member list needs writing down."""
    if not uses_real_etcd(state):
        state.set_etcd_member(node_name, present=True)


def local_urls(manifest_path: str) -> tuple:
    """(client URL, peer URL) of this host's member, from its etcd manifest (the LocalAPIEndpoint)."""
    try:
        pod = yaml.safe_load(paths.read_text(paths.host_path(manifest_path))) or {}
        command = pod["spec"]["containers"][0]["command"]
    except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
        return None, None
    flags = dict(arg[2:].split("=", 1) for arg in command[1:] if arg.startswith("--") and "=" in arg)
    return flags.get("advertise-client-urls"), flags.get("initial-advertise-peer-urls")


def remove_member(state: ClusterState, cert_dir: str, node_name: str, manifest_path: str) -> bool:
    """reset's remove-etcd-member: False when this was the last member (the cluster's data goes with it)."""
    if not uses_real_etcd(state):
        with state.locked():
            return bool(state.set_etcd_member(node_name, present=False))
    local, peer = local_urls(manifest_path)
    # the local member first: it is still running, and it is in the cluster until removed
    others = [e for e in endpoints_from_pods(state) if e != local]
    client = Client(([local] if local else []) + others, cert_dir)
    for attempt in range(RETRIES):
        # listed again on each try: masters reset at once remove each other's peers meanwhile
        members = client.members()
        if len(members) == 1 and local in members[0].get("clientURLs", []):
            return False   # the only member: kubeadm skips the removal
        member = next((m["ID"] for m in members if peer in m.get("peerURLs", [])), None)
        if member is None:
            return True    # already removed
        try:
            client.call("/v3/cluster/member/remove", {"ID": member})
            return True
        except StandinError:
            if attempt + 1 == RETRIES:
                raise
        time.sleep(RETRY_INTERVAL)
    return True

"""kubeadm certs check-expiration | renew (cmd/kubeadm/app/cmd/certs.go).

The configuration comes as in getInternalCfg: --config, else the kubeadm-config ConfigMap through
the API with the --kubeconfig credentials (admin.conf), else kubeadm's defaults; only
certificatesDir matters here. Without admin.conf (a worker) kubeadm silently takes the defaults.
"""

from __future__ import annotations

import json
import sys
import time

import yaml

from .. import httpclient, kubeconfig, paths, pki, timefmt, versions
from ..tabwriter import table
from ..errors import StandinError
from . import renewal
from .config import load_documents
from .flags import Flags

ADMIN_CONF = "/etc/kubernetes/admin.conf"
OUTPUT_API_VERSION = "output.kubeadm.k8s.io/v1alpha3"
RENEW_FLAGS = Flags({"config": "string", "cert-dir": "string", "kubeconfig": "string"})
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _minor(kubeadm_version: str) -> int:
    return versions.split(kubeadm_version)[1]


def expiration_flags(kubeadm_version: str) -> Flags:
    """-o came with 1.30 as --experimental-output, 1.31 named it --output (the old name deprecated)."""
    spec = {"config": "string", "cert-dir": "string", "kubeconfig": "string"}
    if _minor(kubeadm_version) >= 30:
        spec.update({"experimental-output": "string", "allow-missing-template-keys": "bool",
                     "show-managed-fields": "bool"})
        if _minor(kubeadm_version) >= 31:
            spec["output"] = "string"
            return Flags(spec, {"o": "output"})
        return Flags(spec, {"o": "experimental-output"})
    return Flags(spec)


# -- configuration -------------------------------------------------------------------------------
def _from_cluster(path: str) -> dict | None:
    """The ClusterConfiguration from the kubeadm-config ConfigMap, None when the API does not give it."""
    try:
        client = kubeconfig.load(paths.host_path(path))
    except (OSError, ValueError, yaml.YAMLError):
        return None
    try:
        answer = client.request("/api/v1/namespaces/kube-system/configmaps/kubeadm-config", timeout=10)
        if answer.status != 200:
            return {}
        return yaml.safe_load(answer.json()["data"]["ClusterConfiguration"]) or {}
    except (httpclient.TransportError, KeyError, ValueError, yaml.YAMLError):
        return {}


def _read_config_lines(kubeadm_version: str, prefix: str) -> list:
    if _minor(kubeadm_version) >= 31:
        return [f'[{prefix}] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...',
                f"[{prefix}] Use 'kubeadm init phase upload-config --config your-config.yaml' to re-upload it."]
    return [f"[{prefix}] Reading configuration from the cluster...",
            f"[{prefix}] FYI: You can look at this config file with 'kubectl -n kube-system get cm kubeadm-config -o yaml'"]


def cert_dir(kubeadm_version: str, flags: dict, prefix: str, say) -> str:
    """getInternalCfg, reduced to the certificates dir; `say` prints the informational lines (or not)."""
    cluster = None
    if flags.get("config"):
        documents = load_documents(flags["config"], kubeadm_version)
        cluster = documents.get("ClusterConfiguration") or {}
    else:
        fetched = _from_cluster(flags.get("kubeconfig", ADMIN_CONF))
        if fetched is not None:
            for line in _read_config_lines(kubeadm_version, prefix):
                say(line)
            if fetched:
                say("")
                cluster = fetched
            else:
                say(f"[{prefix}] Error reading configuration from the Cluster. Falling back to default configuration")
                say("")
    return (flags.get("cert-dir") or (cluster or {}).get("certificatesDir") or renewal.DEFAULT_CERT_DIR).rstrip("/")


# -- check-expiration ---------------------------------------------------------------------------
def _entry(name: str, cert_pem: bytes, external: bool, ca_name: str = "") -> dict:
    not_after = int(pki.cert_not_after(cert_pem))
    entry = {"name": name, "expirationDate": timefmt.rfc3339(not_after),
             "residualTime": int(not_after - time.time()), "externallyManaged": external}
    if ca_name:
        entry["caName"] = ca_name
    entry["missing"] = False
    return entry


def _missing(name: str) -> dict:
    return {"name": name, "expirationDate": None, "residualTime": 0, "externallyManaged": False, "missing": True}


def certificate_entries(directory: str) -> list:
    entries = []
    for handler in renewal.handlers(directory):
        if not handler.exists():
            entries.append(_missing(handler.name))
            continue
        external = renewal.externally_managed(directory, handler.ca_base)
        entries.append(_entry(handler.name, handler.read()[0], external, handler.ca_name))
    return entries


def ca_entries(directory: str) -> list:
    entries = []
    for name, base in renewal.CAS:
        if not renewal.ca_exists(directory, base):
            entries.append(_missing(name))
            continue
        external = renewal.externally_managed(directory, base)
        entries.append(_entry(name, renewal.ca_cert_pem(directory, base), external))
    return entries


def _expires(entry: dict) -> str:
    """Go's "Jan 02, 2006 15:04 MST" of a UTC time."""
    stamp = time.gmtime(timefmt.parse_rfc3339(entry["expirationDate"]))
    return f"{_MONTHS[stamp.tm_mon - 1]} {stamp.tm_mday:02d}, {stamp.tm_year} {stamp.tm_hour:02d}:{stamp.tm_min:02d} UTC"


def _yes_no(entry: dict) -> str:
    return f"{'yes' if entry['externallyManaged'] else 'no':<8}"


def certificates_table(entries: list) -> str:
    rows = [["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "EXTERNALLY MANAGED"]]
    for entry in entries:
        if entry["missing"]:
            rows.append([f"!MISSING! {entry['name']}", "", "", "", ""])
        else:
            rows.append([entry["name"], _expires(entry), timefmt.short_human_duration(entry["residualTime"]),
                         entry["caName"], _yes_no(entry)])
    return table(rows)


def authorities_table(entries: list) -> str:
    rows = [["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "EXTERNALLY MANAGED"]]
    for entry in entries:
        if entry["missing"]:
            rows.append([f"!MISSING! {entry['name']}", "", "", ""])
        else:
            rows.append([entry["name"], _expires(entry), timefmt.short_human_duration(entry["residualTime"]),
                         _yes_no(entry)])
    return table(rows)


def _output_format(kubeadm_version: str, flags: dict) -> str:
    output = flags.get("output") or flags.get("experimental-output") or "text"
    if "experimental-output" in flags and _minor(kubeadm_version) >= 31:
        print("Flag --experimental-output has been deprecated, use --output instead", file=sys.stderr)
    if output not in ("text", "json", "yaml"):
        raise StandinError(f'could not construct output printer: unable to match a printer suitable for the output '
                           f'format "{output}", allowed formats are: text,json,yaml')
    return output


def cmd_check_expiration(kubeadm_version: str, argv: list) -> int:
    flags, positionals, _ = expiration_flags(kubeadm_version).parse(argv)
    if positionals:
        raise StandinError(f'unknown command "{positionals[0]}" for "kubeadm certs check-expiration"')
    output = _output_format(kubeadm_version, flags)
    say = print if output == "text" else (lambda _line: None)   # structured output silences the info lines
    directory = cert_dir(kubeadm_version, flags, "check-expiration", say)
    certificates = certificate_entries(directory)
    if output == "text" and _minor(kubeadm_version) < 30:
        # 1.29 writes the first table (flushed at its blank line) before it looks at the CAs
        print(certificates_table(certificates))
        print(authorities_table(ca_entries(directory)), end="")
        return 0
    authorities = ca_entries(directory)
    document = {"kind": "CertificateExpirationInfo", "apiVersion": OUTPUT_API_VERSION,
                "certificates": certificates, "certificateAuthorities": authorities}
    if output == "json":
        print(json.dumps(document, indent=4))
    elif output == "yaml":
        print(kubeconfig.dump_yaml(document), end="")
    else:
        print(certificates_table(certificates))
        print(authorities_table(authorities), end="")
    return 0


# -- renew ---------------------------------------------------------------------------------------
def _renew_one(handler: renewal.Handler) -> None:
    if not handler.exists():
        print(f"MISSING! {handler.long_name}")
        return
    if renewal.externally_managed(handler.cert_dir, handler.ca_base):
        print(f"Detected external {handler.ca_base}, {handler.long_name} can't be renewed")
        return
    renewal.resign(handler, pki.LEAF_DAYS, new_key=True)
    print(f"{handler.long_name} renewed")


def cmd_renew(kubeadm_version: str, argv: list) -> int:
    what, rest = (argv[0], argv[1:]) if argv and not argv[0].startswith("-") else ("", argv)
    names = [handler.name for handler in renewal.handlers(renewal.DEFAULT_CERT_DIR)]
    if what not in names + ["all"]:
        if not what:
            raise StandinError('missing subcommand; "renew" is not meant to be run on its own')
        raise StandinError(f'unknown command "{what}" for "kubeadm certs renew"')
    flags, positionals, _ = RENEW_FLAGS.parse(rest)
    if positionals:
        raise StandinError(f'unknown command "{positionals[0]}" for "kubeadm certs renew {what}"')
    directory = cert_dir(kubeadm_version, flags, "renew", print)
    for handler in renewal.handlers(directory) if what == "all" else [renewal.by_name(directory, what)]:
        _renew_one(handler)
    if what == "all":
        print("\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, "
              "kube-scheduler and etcd, so that they can use the new certificates.")
    return 0


def dispatch(kubeadm_version: str, argv: list) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command == "check-expiration":
        return cmd_check_expiration(kubeadm_version, rest)
    if command == "renew":
        return cmd_renew(kubeadm_version, rest)
    raise StandinError(f'unknown command "{command}" for "kubeadm certs"')

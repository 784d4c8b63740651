"""play-standin-age-certs DAYS: the lab's clock knob for certificates (lab-only, no real counterpart).

Re-signs every certificate `kubeadm certs check-expiration` lists on this host (PKI leaves and the
client certificates embedded in the kubeconfigs) with the cluster CAs so that it expires in DAYS
days: same subject, SANs, usages and key, files replaced atomically with their modes. The CAs are
left alone and nothing is restarted, so running components keep what they loaded, as after a real
year. This stands for "a year has passed" without touching the host clock.
"""
import sys

from . import cli_common, paths
from .errors import StandinError
from .kubeadm import renewal

USAGE = "usage: play-standin-age-certs DAYS [--cert-dir DIR]   (DAYS: 1 or more)"


def _parse(argv: list) -> tuple:
    args, cert_dir = list(argv), renewal.DEFAULT_CERT_DIR
    if "--cert-dir" in args:
        index = args.index("--cert-dir")
        cert_dir = args[index + 1] if index + 1 < len(args) else ""
        del args[index:index + 2]
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) < 1 or not cert_dir:
        raise StandinError(USAGE, exit_code=2)
    return int(args[0]), cert_dir.rstrip("/")


def main(_version: str, argv: list) -> int:
    cli_common.setup()
    try:
        days, cert_dir = _parse(argv)
        aged = 0
        for handler in renewal.handlers(cert_dir):
            if not handler.exists():
                continue
            renewal.resign(handler, days, new_key=False)
            print(f"aged {handler.name} ({paths.host_path(handler.path) if paths.root() else handler.path}): "
                  f"expires in {days} days")
            aged += 1
        print(f"{aged} certificates now expire in {days} days; nothing was restarted")
        return 0
    except StandinError as exc:
        print(exc.message, file=sys.stderr)
        return exc.exit_code

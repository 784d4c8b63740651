"""play-standin-age-certs DAYS: the lab's clock knob for kubeadm's certificates (kubeadm/renewal.py)."""
from . import cli_common
from .kubeadm import renewal


def main(_version: str, argv: list) -> int:
    cli_common.setup()
    return renewal.age_main(argv)

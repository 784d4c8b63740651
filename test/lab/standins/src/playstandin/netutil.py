"""Host addresses without iproute2: what kubeadm and the kubelet pick by default.

Like k8s.io/apimachinery's ChooseHostInterface: the primary IPv4 address of the
interface holding the default route, else of the first up, non-loopback interface.
"""

from __future__ import annotations

import fcntl
import socket
import struct

from .errors import StandinError

SIOCGIFADDR = 0x8915


def _interface_ipv4(name: str) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            packed = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def _default_route_interface() -> str | None:
    try:
        with open("/proc/net/route", encoding="ascii") as handle:
            for line in handle.readlines()[1:]:
                fields = line.split()
                if len(fields) > 2 and fields[1] == "00000000":
                    return fields[0]
    except OSError:
        pass
    return None


def host_ipv4() -> str:
    """Raise StandinError with kubeadm's wording when the host has no usable address."""
    preferred = _default_route_interface()
    if preferred:
        address = _interface_ipv4(preferred)
        if address:
            return address
    for _, name in socket.if_nameindex():
        if name == "lo":
            continue
        address = _interface_ipv4(name)
        if address and not address.startswith("127."):
            return address
    raise StandinError("unable to select an IP from default routes.")

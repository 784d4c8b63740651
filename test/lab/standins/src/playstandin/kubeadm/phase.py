"""kubeadm's error wrapping: "error execution phase <name>: <message>"."""
import contextlib

from ..errors import StandinError


@contextlib.contextmanager
def phase(name: str):
    try:
        yield
    except StandinError as exc:
        if exc.message.startswith("error execution phase"):
            raise
        raise StandinError(f"error execution phase {name}: {exc.message}", exc.exit_code) from None

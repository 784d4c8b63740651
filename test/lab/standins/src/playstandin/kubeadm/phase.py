"""kubeadm's error wrapping: "error execution phase <name>: <message>"."""
import contextlib

from ..apistore import ApiStatus
from ..errors import StandinError


@contextlib.contextmanager
def phase(name: str):
    try:
        yield
    except StandinError as exc:
        if exc.message.startswith("error execution phase"):
            raise
        raise StandinError(f"error execution phase {name}: {exc.message}", exc.exit_code) from None
    except ApiStatus as exc:   # an API error answer kubeadm did not retry: its message, as client-go's error prints
        raise StandinError(f"error execution phase {name}: {exc.message}") from None

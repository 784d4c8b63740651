"""Process setup shared by every stand-in command."""
import signal


def setup() -> None:
    # Go programs die quietly on a closed pipe (`kubectl get pods | head`); Python would
    # print a BrokenPipeError traceback instead.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)

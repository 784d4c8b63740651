"""One exception type: a message to print as-is and an exit code."""


class StandinError(Exception):
    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

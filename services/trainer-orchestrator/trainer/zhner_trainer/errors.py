"""Errors of the trainer. Each carries a stable ``code`` and the facts needed to act on it.

The CLI prints ``ERROR {"code":..,"message":..}`` on stderr and exits with status 2 for
configuration/data errors (not retriable: fix the input) and 1 for anything else.
"""
from __future__ import annotations


class TrainerError(Exception):
    code = "E_TRAINER"
    retriable = False

    def __init__(self, message: str, **context):
        super().__init__(message)
        self.context = context

    def to_json(self) -> dict:
        return {"code": self.code, "message": str(self), "retriable": self.retriable, **self.context}


class ConfigError(TrainerError):
    """Raised before any work starts when the config is invalid; ``key`` names the dotted path."""

    code = "E_CONFIG"

    def __init__(self, key: str, message: str):
        super().__init__(f"config {key}: {message}", key=key)
        self.key = key


class DataError(TrainerError):
    """Raised when a corpus file is missing or a line is malformed (``path``, ``line``)."""

    code = "E_DATA"

    def __init__(self, path: str, message: str, line: int | None = None):
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}", path=path, line=line)


class ModelDirError(TrainerError):
    """Raised when a model directory given to --init-from / export is incomplete or corrupt."""

    code = "E_MODEL_DIR"

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}", path=path)


class DependencyError(TrainerError):
    """Raised when an optional dependency (e.g. ``transformers``) is required but missing."""

    code = "E_DEPENDENCY"


class SoupError(TrainerError):
    """Raised when a weight soup cannot be made: an ingredient that is not a fine-tune of the base
    (another vocabulary, labels or shapes), a missing score, an unknown rule (``path``)."""

    code = "E_SOUP"

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}", path=path)

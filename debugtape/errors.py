"""One error tree for debugtape; subclasses carry their context as attributes."""

from __future__ import annotations

__all__ = ["DebugtapeError", "StoreError", "NotFound", "Ambiguous", "ConfigError", "AdapterError"]


class DebugtapeError(Exception):
    """Root of every error debugtape raises on purpose."""


class StoreError(DebugtapeError):
    """The store cannot be used; `what` names the problem, `fix` what to do."""

    def __init__(self, path: str, what: str, fix: str) -> None:
        super().__init__(f"store {path}: {what}; {fix}")
        self.path = path
        self.what = what
        self.fix = fix


class NotFound(DebugtapeError):
    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"no {kind} matches {ident!r}")
        self.kind = kind
        self.ident = ident


class Ambiguous(DebugtapeError):
    def __init__(self, kind: str, ident: str, matches: list[str]) -> None:
        shown = ", ".join(matches[:5])
        super().__init__(f"{kind} id {ident!r} is ambiguous: {shown}")
        self.kind = kind
        self.ident = ident
        self.matches = matches


class ConfigError(DebugtapeError):
    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source


class AdapterError(DebugtapeError):
    """A debugger or protocol failure, converted inside the adapter."""

    def __init__(self, adapter: str, message: str) -> None:
        super().__init__(f"{adapter}: {message}")
        self.adapter = adapter

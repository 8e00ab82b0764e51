"""Merges a burst of raw file-system observations into one net change per path (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Change", "Coalescer", "KINDS"]

KINDS = ("created", "modified", "deleted", "moved")


@dataclass
class Change:
    """The net change of one path over a batch. `kind` "replaced" means new content arrived by a
    rename from a file that did not exist before the batch (an editor's atomic save); the
    watcher turns it into modified or created once it knows whether git tracks the path."""

    kind: str
    path: str
    dest: str | None = None

    @property
    def current(self) -> str:
        """Where the file is now."""
        return self.dest or self.path


class Coalescer:
    """Editors save in bursts (temp file, rename, backup, delete); a batch keeps the net effect.

    Entries are keyed by the path the file has now, in order of first appearance.
    """

    def __init__(self) -> None:
        self._entries: dict[str, Change] = {}
        self.observed = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, kind: str, path: str, dest: str | None = None) -> None:
        self.observed += 1
        if kind == "moved" and dest is not None:
            self._moved(path, dest)
        elif kind == "created":
            self._created(path)
        elif kind == "modified":
            if path not in self._entries:
                self._entries[path] = Change("modified", path)
            elif self._entries[path].kind == "deleted":
                self._entries[path] = Change("modified", path)
        elif kind == "deleted":
            self._deleted(path)

    def drain(self) -> list[Change]:
        out = list(self._entries.values())
        self._entries = {}
        return out

    def _created(self, path: str) -> None:
        prev = self._entries.get(path)
        if prev is None:
            self._entries[path] = Change("created", path)
        elif prev.kind == "deleted":
            # Deleted, then written anew: to anyone reading the tree it was modified.
            self._entries[path] = Change("modified", path)

    def _deleted(self, path: str) -> None:
        prev = self._entries.pop(path, None)
        if prev is None or prev.kind in ("modified", "deleted"):
            self._entries[path] = Change("deleted", path)
        elif prev.kind == "moved":
            # The file that moved here is gone: what the batch did is delete its origin.
            self._origin_deleted(prev.path)
        # created or replaced in this batch, then deleted: a temporary file, nothing to report.

    def _origin_deleted(self, origin: str) -> None:
        there = self._entries.get(origin)
        if there is not None and there.kind in ("created", "replaced"):
            # Safe-write editors: original moved aside, new file put in place, original deleted.
            self._entries[origin] = Change("modified", origin)
        elif there is None:
            self._entries[origin] = Change("deleted", origin)

    def _moved(self, src: str, dest: str) -> None:
        prev = self._entries.pop(src, None)
        replaced_dest = self._entries.pop(dest, None)
        if prev is None or prev.kind == "modified":
            change = Change("moved", src, dest)
        elif prev.kind in ("created", "replaced"):
            change = Change("replaced", dest)
        elif prev.kind == "moved":
            change = Change("modified", dest) if prev.path == dest else Change("moved", prev.path, dest)
        else:  # a move from a path we saw deleted: trust the move
            change = Change("moved", src, dest)
        if change.kind == "moved" and replaced_dest is not None and replaced_dest.kind == "deleted":
            # dest was deleted and a file moved over it within one batch: dest changed content.
            self._entries[src] = Change("deleted", src)
            change = Change("modified", dest)
        self._entries[dest] = change

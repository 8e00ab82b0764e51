"""Building a session pipeline on a store, with the correlation and plugin stages when available."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from debugtape.paths import git_toplevel, store_dir
from debugtape.pipeline.bound import Bounds
from debugtape.pipeline.ratelimit import RateLimits
from debugtape.pipeline.session import SessionPipeline
from debugtape.pipeline.stages import Correlator, Hooks
from debugtape.redact import Redactor, load_redactor
from debugtape.store import BackgroundWriter, Store

__all__ = ["open_pipeline", "make_stages", "PipelineFactory"]

log = logging.getLogger(__name__)


def make_stages(db: Path, cwd: str | None) -> tuple[Redactor, Correlator | None, Hooks | None]:
    """The redactor, correlator and plugin hooks for a store. The optional parts degrade to
    pass-through with a warning if they fail to load, so recording never stops for them."""
    root = git_toplevel(cwd)
    hooks: Hooks | None = None
    extra_rules: list[Any] = []
    try:
        from debugtape.plugins import load_hooks

        hooks = load_hooks(store_dir(db))
        rules = getattr(hooks, "redaction_rules", None)
        if callable(rules):
            extra_rules = list(rules())
    except ImportError:
        pass
    except Exception as exc:
        log.warning("plugins disabled: %s", exc)
    redactor = load_redactor(store_dir(db), root, extra_rules=extra_rules)
    correlator: Correlator | None = None
    try:
        plugin_correlator = getattr(hooks, "correlator", None)
        if callable(plugin_correlator):  # the built-in `correlate` plugin, or one replacing it
            correlator = plugin_correlator(cwd)
        else:
            from debugtape.correlate import make_correlator

            correlator = make_correlator(cwd)
    except ImportError:
        pass
    except Exception as exc:
        log.warning("correlation disabled: %s", exc)
    return redactor, correlator, hooks


class PipelineFactory:
    """Makes one pipeline after another on the same writer (an ingest stream may hold several sessions)."""

    def __init__(self, store: Store, writer: BackgroundWriter, cwd: str | None = None,
                 bounds: Bounds | None = None, limits: RateLimits | None = None) -> None:
        self.store = store
        self.writer = writer
        self.bounds = bounds
        self.limits = limits
        self.redactor, self.correlator, self.hooks = make_stages(store.path, cwd)

    def new(self) -> SessionPipeline:
        return SessionPipeline(self.writer, self.redactor, bounds=self.bounds, limits=self.limits,
                               correlator=self.correlator, hooks=self.hooks)

    def close(self, pipeline: SessionPipeline | None, interrupted: bool) -> None:
        """Finish the pipeline, write everything, and mark the session interrupted if it was."""
        if pipeline is not None:
            pipeline.finish(interrupted=interrupted)
        self.writer.flush()
        if pipeline is not None and interrupted and pipeline.session_id:
            self.store.mark_interrupted(pipeline.session_id)


@contextmanager
def open_pipeline(
    db: str | Path,
    *,
    cwd: str | None = None,
    bounds: Bounds | None = None,
    limits: RateLimits | None = None,
) -> Iterator[SessionPipeline]:
    """A session pipeline writing to the store at `db`, in this process.

    Leaving the block normally ends the session (reason "stopped" unless an end record came);
    an exception leaves it interrupted, with everything fed so far committed.
    """
    store = Store(db)
    writer = store.background_writer()
    factory = PipelineFactory(store, writer, cwd, bounds, limits)
    pipeline = factory.new()
    try:
        yield pipeline
    except BaseException:
        factory.close(pipeline, interrupted=True)
        writer.close()
        store.close()
        raise
    factory.close(pipeline, interrupted=False)
    writer.close()
    store.close()

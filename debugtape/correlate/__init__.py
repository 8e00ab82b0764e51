"""Correlation: commit context, per-frame blame, symbols, stable breakpoint ids, and their queries."""

from __future__ import annotations

from debugtape.correlate.commits import commit_event_data, commits_between
from debugtape.correlate.correlator import GitCorrelator, make_correlator
from debugtape.correlate.git import GitError, run_git
from debugtape.correlate.stable import StableId, parse_stable_id, stable_id_for
from debugtape.correlate.symbols import Symbol, resolve_symbol

__all__ = [
    "GitCorrelator",
    "GitError",
    "StableId",
    "Symbol",
    "commit_event_data",
    "commits_between",
    "make_correlator",
    "parse_stable_id",
    "resolve_symbol",
    "run_git",
    "stable_id_for",
]

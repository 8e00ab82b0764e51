"""Pruning completed sessions by age and by count; active and interrupted ones are never pruned."""

from __future__ import annotations

import sqlite3
import time

from debugtape.store.queries import SESSION_EVENT_IDS

__all__ = ["prunable", "delete_sessions"]


def prunable(conn: sqlite3.Connection, older_than: float | None, keep: int | None) -> list[str]:
    """Completed sessions that are older than `older_than` seconds, or beyond the newest `keep`."""
    rows = conn.execute(
        "SELECT id, ended_ms FROM sessions WHERE end_event IS NOT NULL ORDER BY started_ms DESC, start_event DESC"
    ).fetchall()
    now_ms = time.time() * 1000
    out: list[str] = []
    for rank, (sid, ended_ms) in enumerate(rows):
        too_old = older_than is not None and ended_ms is not None and now_ms - ended_ms > older_than * 1000
        too_many = keep is not None and rank >= keep
        if too_old or too_many:
            out.append(sid)
    return out


def delete_sessions(conn: sqlite3.Connection, sessions: list[str]) -> int:
    """Delete the sessions and every row derived from their events, in one transaction."""
    if not sessions:
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS prune_ids (id INTEGER PRIMARY KEY)")
        conn.execute("DELETE FROM prune_ids")
        conn.executemany(
            f"INSERT INTO prune_ids {SESSION_EVENT_IDS}", [(s, s) for s in sessions]
        )
        for table in ("snapshots", "frames", "breakpoints", "event_keys"):
            conn.execute(f"DELETE FROM {table} WHERE event_id IN (SELECT id FROM prune_ids)")
        conn.executemany("DELETE FROM samples WHERE session = ?", [(s,) for s in sessions])
        n = conn.execute("DELETE FROM events WHERE id IN (SELECT id FROM prune_ids)").rowcount
        conn.executemany("DELETE FROM sessions WHERE id = ?", [(s,) for s in sessions])
        conn.execute("DELETE FROM prune_ids")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return int(n)

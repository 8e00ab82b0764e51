"""Reading the store: sessions, events with timeline filters, snapshots, all answerable as of a past point."""

from __future__ import annotations

import gc
import heapq
import json
import operator
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from debugtape.errors import Ambiguous, DebugtapeError, NotFound
from debugtape.events import Event, parse_ts
from debugtape.store.writer import process_start_time

__all__ = ["StoredEvent", "Queries", "parse_time", "parse_duration", "SESSION_EVENT_IDS", "SAMPLE_JOIN"]


@dataclass(frozen=True)
class StoredEvent:
    """An event as committed, with its store-wide id (commit order)."""

    id: int
    event: Event

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, **self.event.to_dict()}


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """'7d', '90m', '2h', '30s' -> seconds."""
    m = _DURATION.match(text)
    if not m:
        raise DebugtapeError(f"not a duration: {text!r} (use e.g. 30s, 15m, 2h, 7d, 2w)")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse_time(text: str) -> float:
    """An ISO 8601 time, a date, 'now', or a duration ago ('2h') -> seconds since the epoch."""
    text = text.strip()
    if text == "now":
        return time.time()
    if _DURATION.match(text):
        return time.time() - parse_duration(text)
    try:
        return parse_ts(text)
    except ValueError as exc:
        raise DebugtapeError(f"not a time: {text!r} (use ISO 8601, e.g. 2026-11-23T18:00:00Z, or 2h)") from exc


def _prefix_range(prefix: str) -> tuple[str, str]:
    return prefix, prefix + "\uffff"


# The C scanner behind json.loads, without its per-call wrappers (about 15% of decoding a small
# event's data); stored data was written by json.dumps, so it is one JSON object.
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _decode(text: str) -> Any:
    try:
        return _scan(text, 0)[0]
    except StopIteration:  # the scanner's way to say "no JSON value here"
        raise json.JSONDecodeError("Expecting value", text, 0) from None


def _row_event(row: sqlite3.Row | tuple[Any, ...]) -> StoredEvent:
    eid, session, seq, ts, typ, actor, vis, data, _ = row
    out = _new(StoredEvent)  # as Event.from_store: a stored row was checked when it was written
    out.__dict__.update(id=eid, event=Event.from_store(typ, session, _decode(data), seq, ts, actor or "debugtape",
                                                   vis or "private"))
    return out


_new = object.__new__
_quote = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (ensure_ascii=False)


def _row_text(row: tuple[Any, ...]) -> str:
    """A stored row as the compact JSON text of its StoredEvent.to_dict() (same keys, same order)."""
    eid, session, seq, ts, typ, actor, vis, data, _ = row
    return (f'{{"id":{int(eid)},"ts":{_quote(ts)},"session":{_quote(session)},"seq":{int(seq)},'
            f'"type":{_quote(typ)},"actor":{_quote(actor or "debugtape")},'
            f'"visibility":{_quote(vis or "private")},"data":{data}}}')


# ts_ms last: what orders rows by time when two queries' rows are merged.
_EVENT_COLS = "e.id, e.session, e.seq, e.ts, e.type, e.actor, e.visibility, e.data, e.ts_ms"
_SEQ = operator.itemgetter(2)
_TIME = operator.itemgetter(8, 0)
# Stack samples have no index on `events` of their own (a sampling run writes hundreds a
# second): they are found through their runs in `samples`, each a range of event ids.
# (The unary + keeps SQLite from building an automatic index on those columns, a whole-table
# pass, where a run's id range finds its rows.)
SAMPLE_JOIN = ("samples r CROSS JOIN events e ON e.id BETWEEN r.first_event AND r.last_event "
               "AND +e.session = r.session AND +e.type = 'stack_sample'")
_SAMPLE_ROWS = f"SELECT {_EVENT_COLS} FROM {SAMPLE_JOIN}"

# Every event id of a session (arguments: the session, twice).
SESSION_EVENT_IDS = ("SELECT e.id FROM events e WHERE e.session = ? AND e.type != 'stack_sample' UNION ALL "
                     f"SELECT e.id FROM {SAMPLE_JOIN} WHERE r.session = ?")


# The envelope's filters as conditions on events (`e`), and on runs of samples (`r`): the runs
# that can hold a matching sample. Columns: session, time from, time to, as of, after.
_EVENT_TERMS = ("e.session = ?", "e.ts_ms >= ?", "e.ts_ms <= ?", "e.id <= ?", "e.id > ?")
_RUN_TERMS = ("r.session = ?", "r.last_ms >= ?", "r.first_ms <= ?", "r.first_event <= ?", "r.last_event > ?")


def _filters(terms: tuple[str, ...], session: str | None, since: float | None, until: float | None,
             as_of: int | None, after_id: int | None) -> tuple[list[str], list[Any]]:
    """Conditions and their arguments for the filters given."""
    values = (session or None, None if since is None else int(since * 1000),
              None if until is None else int(until * 1000), as_of, after_id)
    where = [term for term, value in zip(terms, values) if value is not None]
    if after_id is not None and session:
        # After an event (`follow`'s polls): walk the few newest ids, not all of the session's.
        where[0] = "+" + where[0]
    return where, [value for value in values if value is not None]


# A session that another started (a VS Code child session: a debugpy subprocess, js-debug's
# program) names it in its session_started event's meta.parent.
_SESSION_COLS = (
    "id, name, tool, started_ts, ended_ts, start_event, end_event, last_seq, last_event, commit_hash, "
    "branch, dirty, interrupted, writer_pid, writer_start, counts, "
    "(SELECT json_extract(data, '$.meta.parent') FROM events WHERE events.id = sessions.start_event)"
)


class Queries:
    """Read-only questions to an open connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    # -- time travel -------------------------------------------------------------------------
    def as_of_id(self, as_of: str | int | None) -> int | None:
        """The last event id committed at a point: an event id, or a time (ISO 8601 or '2h' ago)."""
        if as_of is None or as_of == "":
            return None
        if isinstance(as_of, int) or str(as_of).strip().isdigit():
            return int(as_of)
        t_ms = int(parse_time(str(as_of)) * 1000)
        # stored_ms never decreases along id (one writer at a time assigns both under the write
        # lock), so bisect over ids instead of keeping an index for this rare question.
        lo, hi = 0, self.last_event_id()
        while lo < hi:
            mid = (lo + hi + 1) // 2
            row = self.conn.execute("SELECT stored_ms FROM events WHERE id >= ? ORDER BY id LIMIT 1", (mid,)).fetchone()
            if row is not None and row[0] <= t_ms:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def data_version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def last_event_id(self) -> int:
        return int(self.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])

    # -- sessions ----------------------------------------------------------------------------
    def resolve_session(self, ident: str, as_of: int | None = None) -> str:
        """A full session id from the id, an exact name, a unique prefix of the id, or 'last'.
        A name wins over a prefix: a session named "b" is not lost to an id that starts with b."""
        ident = ident.strip()
        cap = "" if as_of is None else f" AND start_event <= {int(as_of)}"
        if ident in ("last", "latest", "@"):
            row = self.conn.execute(
                f"SELECT id FROM sessions WHERE 1=1{cap} ORDER BY started_ms DESC, start_event DESC LIMIT 1"
            ).fetchone()
            if not row:
                raise NotFound("session", ident)
            return str(row[0])
        row = self.conn.execute(f"SELECT id FROM sessions WHERE id = ?{cap}", (ident.lower(),)).fetchone()
        if row:
            return str(row[0])
        row = self.conn.execute(
            f"SELECT id FROM sessions WHERE name = ?{cap} ORDER BY started_ms DESC, start_event DESC LIMIT 1",
            (ident,),
        ).fetchone()
        if row:
            return str(row[0])
        lo, hi = _prefix_range(ident.lower())
        rows = self.conn.execute(
            f"SELECT id FROM sessions WHERE id >= ? AND id < ?{cap} LIMIT 6", (lo, hi)
        ).fetchall()
        if len(rows) == 1:
            return str(rows[0][0])
        if len(rows) > 1:
            raise Ambiguous("session", ident, [r[0] for r in rows])
        raise NotFound("session", ident)

    def sessions(self, as_of: int | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        cap = "" if as_of is None else f"WHERE start_event <= {int(as_of)}"
        sql = f"SELECT {_SESSION_COLS} FROM sessions {cap} ORDER BY started_ms DESC, start_event DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._session_row(r, as_of) for r in self.conn.execute(sql).fetchall()]

    def session(self, session_id: str, as_of: int | None = None) -> dict[str, Any]:
        row = self.conn.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None or (as_of is not None and row[5] > as_of):
            raise NotFound("session", session_id)
        return self._session_row(row, as_of)

    def _session_row(self, r: tuple[Any, ...], as_of: int | None) -> dict[str, Any]:
        (sid, name, tool, started, ended, _start_ev, end_ev, last_seq, last_ev, commit, branch, dirty,
         interrupted, wpid, wstart, counts, parent) = r
        if as_of is not None and end_ev is not None and end_ev > as_of:
            ended, end_ev, counts = None, None, None
        if end_ev is not None:
            status = "completed"
        elif interrupted:
            status = "interrupted" if as_of is None or (last_ev or 0) <= as_of else "active"
        elif wpid and _alive(int(wpid), wstart):
            status = "active"
        else:
            status = "interrupted"
        if as_of is not None and (last_ev or 0) > as_of:
            last = self.event_rows(session=sid, as_of=as_of, limit=1, newest=True)
            last_seq = last[0][2] if last else 0
            if status == "interrupted":
                status = "active"
        return {
            "id": sid, "name": name, "tool": tool, "status": status, "started": started, "ended": ended,
            "commit": commit, "branch": branch, "dirty": None if dirty is None else bool(dirty),
            "events": last_seq, "counts": json.loads(counts) if counts else self._live_counts(sid, as_of),
            "parent": parent if isinstance(parent, str) and parent else None,
        }

    def _live_counts(self, session: str, as_of: int | None) -> dict[str, int]:
        cap = "" if as_of is None else f" AND event_id <= {int(as_of)}"
        snaps = self.conn.execute(
            f"SELECT count(*) FROM snapshots WHERE session = ?{cap}", (session,)
        ).fetchone()[0]
        return {"snapshots": int(snaps), "samples": self.sample_count(session, as_of)}

    def sample_count(self, session: str, as_of: int | None = None) -> int:
        """How many stack samples the session has (as of an event id), from its runs of samples."""
        if as_of is None:
            return int(self.conn.execute(
                "SELECT coalesce(sum(count), 0) FROM samples WHERE session = ?", (session,)
            ).fetchone()[0])
        samples = self.conn.execute(
            "SELECT coalesce(sum(count), 0) FROM samples WHERE session = ? AND last_event <= ?",
            (session, as_of),
        ).fetchone()[0]
        samples += self.conn.execute(  # a run that straddles the point: count its events
            "SELECT count(*) FROM events WHERE session = ? AND type = 'stack_sample' AND id <= ? AND "
            "id >= (SELECT coalesce(max(first_event), 0) FROM samples WHERE session = ? AND "
            "first_event <= ? AND last_event > ?)",
            (session, as_of, session, as_of, as_of),
        ).fetchone()[0] if self.conn.execute(
            "SELECT 1 FROM samples WHERE session = ? AND first_event <= ? AND last_event > ?",
            (session, as_of, as_of)).fetchone() else 0
        return int(samples)

    # -- events ------------------------------------------------------------------------------
    def events(self, **filters: Any) -> list[StoredEvent]:
        """Events in time order (ts, then commit order), filtered as `event_rows` says; `newest`
        keeps the last `limit`."""
        rows = self._timeline_rows(filters)
        # Thousands of decoded events, none of them in a reference cycle: without the pause the
        # collector ran over them again and again while they were built (half of the time for
        # a 10,000-event session).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return [_row_event(r) for r in rows]
        finally:
            if enabled:
                gc.enable()

    def event_texts(self, **filters: Any) -> list[str]:
        """What `events` finds, each as the JSON text of `StoredEvent.to_dict()`, with the stored
        data spliced in as it is: no decoding and encoding again (for `--json` output, where
        that was most of the time: 10,000 events took 0.4-0.5 s)."""
        return [_row_text(r) for r in self._timeline_rows(filters)]

    def _timeline_rows(self, filters: dict[str, Any]) -> list[tuple[Any, ...]]:
        rows = self.event_rows(**filters)
        if filters.get("newest"):
            rows.reverse()
        if filters.get("symbol") or filters.get("file") is not None or filters.get("commit"):
            rows.sort(key=_TIME)  # a key filter cut the page in commit order
        return rows

    def event_rows(
        self,
        *,
        session: str | None = None,
        types: Sequence[str] | None = None,
        symbol: str | None = None,
        file: str | None = None,
        line: int | None = None,
        commit: str | None = None,
        since: float | None = None,
        until: float | None = None,
        limit: int | None = None,
        as_of: int | None = None,
        after_id: int | None = None,
        newest: bool = False,
        include_private: bool = True,
        samples: bool = True,
    ) -> list[tuple[Any, ...]]:
        """The stored rows behind `events`, undecoded (what any reader pays), in the order the
        query cut them: filters by session, event types, symbol, file and line, commit prefix,
        time span, and as of an event id or after one; `samples=False` leaves stack samples out."""
        where: list[str] = []
        args: list[Any] = []
        key_sets: list[tuple[str, tuple[Any, ...]]] = []
        if symbol:
            key_sets.append(("k.key = ?", ("s:" + symbol,)))
        if file is not None or line is not None:
            if file is None:
                where.append(
                    "e.id IN (SELECT event_id FROM frames WHERE line = ? UNION "
                    "SELECT event_id FROM breakpoints WHERE line = ?)"
                )
                args += [line, line]
            else:
                base = file.rsplit("/", 1)[-1]
                if line is not None:
                    key_sets.append(("k.key = ?", (f"l:{base}:{line}",)))
                else:
                    key_sets.append(("k.key = ?", ("b:" + base,)))
                if "/" in file:
                    # A path was given: keep events whose frames' paths end with it.
                    where.append(
                        "(e.id IN (SELECT event_id FROM frames WHERE file LIKE ? ESCAPE '\\') OR "
                        "e.id IN (SELECT event_id FROM breakpoints WHERE file LIKE ? ESCAPE '\\') OR "
                        "e.type = 'file_changed')"
                    )
                    pat = "%" + file.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    args += [pat, pat]
        if commit:
            # Resolve the prefix to the commits it names, so one commit walks its key in order.
            lo, hi = _prefix_range("c:" + commit.lower())
            found = [r[0] for r in self.conn.execute(
                "SELECT DISTINCT key FROM event_keys WHERE key >= ? AND key < ? LIMIT 50", (lo, hi))]
            if not found:
                return []
            key_sets.append((f"k.key IN ({','.join('?' * len(found))})", tuple(found)))
        # The first key filter drives the query from the key index (walked in commit order);
        # any others narrow it.
        sql = f"SELECT {_EVENT_COLS} FROM events e"
        if key_sets:
            cond, vals = key_sets[0]
            distinct = "DISTINCT " if "IN" in cond and len(vals) > 1 else ""
            sql = f"SELECT {distinct}{_EVENT_COLS} FROM event_keys k CROSS JOIN events e ON e.id = k.event_id"
            where.insert(0, cond)
            args[:0] = list(vals)
        for cond, vals in key_sets[1:]:
            where.append(f"e.id IN (SELECT k.event_id FROM event_keys k WHERE {cond})")
            args += list(vals)
        # Stack samples have no keys, frames or breakpoints: only the envelope's filters find them.
        with_samples = samples and not where and (not types or "stack_sample" in types)
        shown = [t for t in types if t != "stack_sample"] if types else None
        common, common_args = _filters(_EVENT_TERMS, session, since, until, as_of, after_id)
        if not include_private:
            common.append("e.visibility != 'private'")
        by_seq = bool(session) and since is None and until is None
        rows: list[tuple[Any, ...]] = []
        if shown is None or shown:
            if shown:
                where.append("e.type IN ({})".format(",".join("?" * len(shown))))
                args += shown
            # In these very words: what lets SQLite use the indexes that leave samples out.
            where += ["e.type != 'stack_sample'", *common]
            args += common_args
            sql += " WHERE " + " AND ".join(where)
            if key_sets:
                # Walk the key index in its own (commit) order, cutting a page there: no sort in
                # SQLite. A whole set is put in time order below; a page, by the caller.
                order = "k.event_id DESC" if newest else "k.event_id"
            elif by_seq:
                order = "e.seq DESC" if newest else "e.seq"  # the session index serves this order
            else:
                order = "e.ts_ms DESC, e.id DESC" if newest else "e.ts_ms, e.id"
            sql += f" ORDER BY {order}"
            if limit:
                sql += f" LIMIT {int(limit)}"
            rows = self.conn.execute(sql, args).fetchall()
            if key_sets and not limit:
                rows.sort(key=_TIME, reverse=newest)
        if with_samples:
            runs, run_args = _filters(_RUN_TERMS, session, since, until, as_of, after_id)
            found = self._sample_rows(runs, run_args, common, common_args, by_seq, limit, newest)
            if found:
                # Both lists come sorted: the sort merges two runs.
                rows += found
                rows.sort(key=_SEQ if by_seq else _TIME, reverse=newest)
                if limit:
                    del rows[limit:]
        return rows

    def _sample_rows(self, runs: list[str], run_args: list[Any], common: list[str], common_args: list[Any],
                     by_seq: bool, limit: int | None, newest: bool) -> list[tuple[Any, ...]]:
        """Stack samples as `event_rows` filters them (`common` on the events, `runs` on their
        runs), found through their runs (a run is a range of event ids holding one session's
        samples)."""
        where = runs + common
        args = run_args + common_args
        if by_seq:
            order = "r.first_event DESC, e.id DESC" if newest else "r.first_event, e.id"  # as the runs lie
        else:
            order = "e.ts_ms DESC, e.id DESC" if newest else "e.ts_ms, e.id"
        if limit and newest:
            # The newest few of many samples: narrow to the last runs that hold enough of them.
            bound = self._newest_bound(runs, run_args, where, args, by_seq, limit)
            if bound:
                where, args = where + [bound[0]], args + bound[1]
        sql = _SAMPLE_ROWS + (" WHERE " + " AND ".join(where) if where else "") + f" ORDER BY {order}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return self.conn.execute(sql, args).fetchall()

    def _newest_bound(self, runs: list[str], run_args: list[Any], where: list[str], args: list[Any],
                      by_seq: bool, limit: int) -> tuple[str, list[Any]] | None:
        """A condition that keeps the `limit` newest matching samples and leaves out older runs,
        or None. Guessed from the runs' counts, then checked: kept only when at least `limit`
        samples pass it, so the newest `limit` of all are among them."""
        cond = " WHERE " + " AND ".join(runs) if runs else ""
        order, col = ("first_event", "first_event") if by_seq else ("last_ms", "first_ms")
        total, low = 0, None
        for value, count in self.conn.execute(
                f"SELECT r.{col}, r.count FROM samples r{cond} ORDER BY r.{order} DESC", run_args):
            total += count
            low = value if low is None else min(low, value)
            if total >= limit:
                break
        if low is None or total < limit:
            return None
        bound = ("r.last_event >= ? AND e.id >= ?" if by_seq else "r.last_ms >= ? AND e.ts_ms >= ?", [low, low])
        sql = _SAMPLE_ROWS + " WHERE " + " AND ".join(where + [bound[0]])
        n = self.conn.execute(f"SELECT count(*) FROM ({sql} LIMIT {int(limit)})", args + bound[1]).fetchone()[0]
        return bound if n >= limit else None

    def iter_session_events(self, session: str, as_of: int | None = None) -> Iterator[StoredEvent]:
        """The session's events in seq order, read as they are used (a session can hold millions)."""
        common, args = _filters(_EVENT_TERMS, session, None, None, as_of, None)
        shown = self.conn.execute(
            f"SELECT {_EVENT_COLS} FROM events e WHERE e.type != 'stack_sample' AND {' AND '.join(common)} "
            "ORDER BY e.seq", args)
        runs, run_args = _filters(_RUN_TERMS, session, None, None, as_of, None)
        found = self.conn.execute(
            f"{_SAMPLE_ROWS} WHERE {' AND '.join(runs + common)} ORDER BY r.first_event, e.id", run_args + args)
        for row in heapq.merge(shown, found, key=_SEQ):
            yield _row_event(row)

    # -- snapshots ---------------------------------------------------------------------------
    def resolve_snapshot(self, ident: str, as_of: int | None = None) -> int:
        """The event id of a snapshot from a unique prefix of its id, or SESSION:SEQ."""
        ident = ident.strip()
        cap = "" if as_of is None else f" AND event_id <= {int(as_of)}"
        if ":" in ident:
            sess, _, seq = ident.rpartition(":")
            sid = self.resolve_session(sess, as_of)
            row = self.conn.execute(
                f"SELECT event_id FROM snapshots WHERE session = ? AND seq = ?{cap}", (sid, int(seq))
            ).fetchone()
            if row:
                return int(row[0])
            raise NotFound("snapshot", ident)
        lo, hi = _prefix_range(ident.lower())
        rows = self.conn.execute(
            f"SELECT event_id, snap_id FROM snapshots WHERE snap_id >= ? AND snap_id < ?{cap} LIMIT 6",
            (lo, hi),
        ).fetchall()
        if len(rows) == 1:
            return int(rows[0][0])
        if not rows:
            raise NotFound("snapshot", ident)
        raise Ambiguous("snapshot", ident, [r[1] for r in rows])

    def event_by_id(self, event_id: int) -> StoredEvent:
        row = self.conn.execute(f"SELECT {_EVENT_COLS} FROM events e WHERE e.id = ?", (event_id,)).fetchone()
        if row is None:
            raise NotFound("event", str(event_id))
        return _row_event(row)

    def snapshot(self, ident: str, as_of: int | None = None) -> StoredEvent:
        return self.event_by_id(self.resolve_snapshot(ident, as_of))

    def snapshots(self, session: str, as_of: int | None = None) -> list[dict[str, Any]]:
        cap = "" if as_of is None else f" AND event_id <= {int(as_of)}"
        rows = self.conn.execute(
            "SELECT snap_id, seq, ts_ms, reason, thread, symbol, file, line, commit_hash, bp_id "
            f"FROM snapshots WHERE session = ?{cap} ORDER BY seq", (session,)
        ).fetchall()
        cols = ("id", "seq", "ts_ms", "reason", "thread", "symbol", "file", "line", "commit", "bp_id")
        return [dict(zip(cols, r)) for r in rows]

    def breakpoints(self, session: str, as_of: int | None = None) -> list[dict[str, Any]]:
        """The session's breakpoints as they stand (last event per breakpoint id)."""
        cap = "" if as_of is None else f" AND event_id <= {int(as_of)}"
        rows = self.conn.execute(
            "SELECT bp_id, action, location, file, line, symbol, condition, hits, enabled, stable_id "
            f"FROM breakpoints WHERE session = ?{cap} ORDER BY seq", (session,)
        ).fetchall()
        state: dict[str, dict[str, Any]] = {}
        for bp_id, action, loc, f, ln, sym, cond, hits, enabled, stable in rows:
            cur = state.setdefault(str(bp_id), {"id": bp_id})
            cur.update({
                "location": loc or cur.get("location"), "file": f or cur.get("file"),
                "line": ln if ln is not None else cur.get("line"), "symbol": sym or cur.get("symbol"),
                "condition": cond, "hits": hits if hits is not None else cur.get("hits", 0),
                "enabled": bool(enabled) if enabled is not None else cur.get("enabled", True),
                "stable_id": stable or cur.get("stable_id"), "removed": action == "removed",
            })
        return list(state.values())


def _alive(pid: int, start: str | None) -> bool:
    try:
        import os

        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    if start is None:
        return True
    return process_start_time(pid) == start

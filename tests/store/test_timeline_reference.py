"""Timeline queries against a reference: for random filters, `event_rows` gives exactly the events
a plain Python filter and sort over every stored row gives, in the same order. Stack samples have
no index of their own (they are found through their runs), so this covers every path that finds
them: by session, by time, as of a point, after an event, newest first, cut to a limit; and the
key index's symbol and file filters, whose pages are cut in commit order."""

from __future__ import annotations

import json
import random
from operator import itemgetter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from debugtape.events import Event, now_ts
from debugtape.redact import Redactor, redact_event
from debugtape.store import Store

SESSIONS = ["a1", "b2", "c3", "d4"]
BASE_MS = 1_795_000_000_000


def _stamp(ms: int) -> str:
    return now_ts(ms / 1000)


def build(path: Path, seed: int) -> None:
    """Four sessions interleaved in batches of random sizes; one of them stamped an hour earlier
    (as an imported tape is); times jitter within a session; some events private."""
    rnd = random.Random(seed)
    r = Redactor()
    seqs = dict.fromkeys(SESSIONS, 0)
    clock = dict.fromkeys(SESSIONS, BASE_MS)
    clock["d4"] -= 3_600_000
    events = []
    for step in range(900):
        sess = rnd.choice(SESSIONS) if step % 50 else SESSIONS[(step // 50) % 4]
        seqs[sess] += 1
        clock[sess] += rnd.choice([0, 1, 3, 10, 250]) - (5 if rnd.random() < 0.1 else 0)
        if seqs[sess] == 1:
            kind = "session_started"
        else:
            kind = rnd.choice(["stack_sample"] * 6 + ["note", "debug_snapshot"])
        frame = {"symbol": rnd.choice("fgh"), "file": rnd.choice(["/src/a.c", "/lib/b.c"]), "line": 3}
        data: dict[str, Any] = {"frames": [frame]} if kind != "note" else {"text": "n"}
        vis = "private" if rnd.random() < 0.2 else "team"
        events.append(redact_event(Event(kind, sess, data, seq=seqs[sess], ts=_stamp(clock[sess]), visibility=vis), r))
    with Store(path) as store:
        at = 0
        while at < len(events):
            cut = rnd.choice([1, 2, 7, 40, 150])
            store.append(events[at:at + cut])
            at += cut


@pytest.fixture(scope="module", params=[1, 2])
def stored(request, tmp_path_factory):  # type: ignore[no-untyped-def]
    path = Path(tmp_path_factory.mktemp("ref")) / "t.db"
    build(path, request.param)
    store = Store(path, readonly=True)
    rows = store.conn.execute("SELECT id, session, seq, ts_ms, type, visibility, data FROM events").fetchall()
    yield store, rows
    store.close()


def expected(rows: list[tuple[Any, ...]], f: dict[str, Any]) -> list[int]:
    out = []
    types = f.get("types")
    keyed = bool(f.get("symbol") or f.get("file"))
    for eid, sess, seq, ts_ms, typ, vis, data in rows:
        if f.get("session") and sess != f["session"]:
            continue
        if keyed:  # the key index holds snapshots' frames (these have one)
            frames = json.loads(data).get("frames") or [] if typ == "debug_snapshot" else []
            if not any(fr["symbol"] == f.get("symbol", fr["symbol"]) and
                       fr["file"].rsplit("/", 1)[-1] == f.get("file", fr["file"].rsplit("/", 1)[-1]) for fr in frames):
                continue
        if types and typ not in types:
            continue
        if not f.get("samples", True) and typ == "stack_sample":
            continue
        if f.get("since") is not None and ts_ms < int(f["since"] * 1000):
            continue
        if f.get("until") is not None and ts_ms > int(f["until"] * 1000):
            continue
        if f.get("as_of") is not None and eid > f["as_of"]:
            continue
        if f.get("after_id") is not None and eid <= f["after_id"]:
            continue
        if not f.get("include_private", True) and vis == "private":
            continue
        out.append((eid, seq, ts_ms))
    by_seq = bool(f.get("session")) and f.get("since") is None and f.get("until") is None
    if keyed and f.get("limit"):  # a page is cut in commit order (and put in time order by the caller)
        out.sort(key=itemgetter(0), reverse=bool(f.get("newest")))
    else:
        out.sort(key=itemgetter(1) if by_seq and not keyed else itemgetter(2, 0), reverse=bool(f.get("newest")))
    if f.get("limit"):
        out = out[:f["limit"]]
    return [x[0] for x in out]


def _time(ms_offset: int) -> float:
    return (BASE_MS + ms_offset) / 1000


filters = st.fixed_dictionaries({}, optional={
    "session": st.sampled_from(SESSIONS),
    "types": st.sampled_from([["stack_sample"], ["note"], ["note", "stack_sample"], ["debug_snapshot", "session_started"]]),
    "samples": st.booleans(),
    "since": st.integers(-3_700_000, 60_000).map(_time),
    "until": st.integers(-3_700_000, 60_000).map(_time),
    "as_of": st.integers(0, 950),
    "after_id": st.integers(0, 950),
    "include_private": st.booleans(),
    "limit": st.sampled_from([1, 3, 20, 200]),
    "newest": st.booleans(),
    "symbol": st.sampled_from("fgx"),
    "file": st.sampled_from(["a.c", "b.c"]),
})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters)
# The newest few samples where a run holds fewer matches than its count (private ones, or ones
# before a time or after an event): a guess from the counts alone would cut too much.
@example(f={"session": "a1", "types": ["stack_sample"], "include_private": False, "limit": 20, "newest": True})
@example(f={"types": ["stack_sample"], "include_private": False, "limit": 200, "newest": True})
@example(f={"types": ["stack_sample"], "since": _time(2_000), "limit": 20, "newest": True})
@example(f={"session": "b2", "types": ["stack_sample"], "after_id": 500, "limit": 20, "newest": True})
def test_event_rows_match_a_plain_filter_and_sort(stored, f) -> None:
    store, rows = stored
    got = [r[0] for r in store.event_rows(**f)]
    assert got == expected(rows, f)


def test_the_store_holds_runs_of_samples_and_other_events(stored) -> None:
    store, rows = stored
    kinds = {r[4] for r in rows}
    assert {"stack_sample", "note", "debug_snapshot", "session_started"} <= kinds
    runs = store.conn.execute("SELECT count(*), sum(count) FROM samples").fetchone()
    assert runs[0] > 20 and runs[1] == sum(1 for r in rows if r[4] == "stack_sample")

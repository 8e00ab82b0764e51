import assert from "node:assert/strict";
import { test } from "node:test";
import { formatSnapshot, parseSessions, parseSnapshot, parseSnapshots, snapshotLabel, variableRows, whereLabel } from "../../src/storeJson";

// Shape printed by `debugtape snapshot ID --json`: the stored event, `id` being its row number.
const SNAP_EVENT = {
  id: 2, ts: "2026-11-23T18:30:01.123Z", session: "s1", seq: 3, type: "debug_snapshot", actor: "vscode", visibility: "private",
  data: {
    snap_id: "s1-3", reason: "breakpoint", thread: { id: 1, name: "MainThread" },
    frames: [
      { index: 0, symbol: "inner", file: "/w/prog.py", line: 12, locals: { n: 3, token: "[REDACTED:secret:ab12]" } },
      { index: 1, symbol: "main", file: "/w/prog.py", line: 30, locals: {} },
    ],
    truncation: [{ path: "frames[0].locals.big", why: "items", kept: 25, total: 1000 }],
  },
};

test("sessions: a list or {sessions: [...]}; counts give the snapshot number", () => {
  const rows = [{ id: "s1", name: "run", tool: "vscode", status: "completed", started: "2026-11-23T18:30:00.000Z", ended: null, commit: null, counts: { snapshots: 2 } }];
  for (const json of [rows, { sessions: rows }]) {
    const [s] = parseSessions(json);
    assert.equal(s.id, "s1");
    assert.equal(s.snapshots, 2);
    assert.equal(s.ended, undefined);
  }
  assert.deepEqual(parseSessions({ nothing: true }), []);
  assert.equal(parseSessions([{ id: "abcdef0123" }])[0].name, "abcdef01");
});

test("show: only snapshot events, from a list, {events}, or stored rows {id, event}", () => {
  const other = { type: "note", session: "s1", data: { text: "x" } };
  for (const json of [[other, SNAP_EVENT], { events: [other, SNAP_EVENT] }, { events: [{ id: 7, event: SNAP_EVENT }] }]) {
    const snaps = parseSnapshots(json, "s1");
    assert.equal(snaps.length, 1);
    assert.equal(snaps[0].id, "s1-3");
    assert.equal(snaps[0].line, 12);
    assert.equal(snapshotLabel(snaps[0]), "prog.py:12 inner");
  }
});

test("show: the flat snapshot rows of debugtape show --json", () => {
  // Shape printed by `debugtape show S --json` (captured from the real command).
  const show = {
    session: { id: "3d282f8242a376d7", name: "demo" },
    breakpoints: [],
    snapshots: [{ id: "53660f5c6e4e30cd", seq: 2, ts_ms: 1795458389062, reason: "breakpoint", thread: "main", symbol: "f", file: "/tmp/jt/p.py", line: 3, commit: null, bp_id: null }],
  };
  const [snap] = parseSnapshots(show, "3d282f8242a376d7");
  assert.equal(snap.id, "53660f5c6e4e30cd");
  assert.equal(snap.ts, new Date(1795458389062).toISOString());
  assert.equal(snapshotLabel(snap), "p.py:3 f");
});

test("snapshot: frames, locals and cuts in plain text", () => {
  const snap = parseSnapshot(SNAP_EVENT);
  assert.equal(snap.frames.length, 2);
  assert.equal(snap.thread, "MainThread");
  const text = formatSnapshot(snap);
  assert.match(text, /#0 {2}inner {2}\/w\/prog\.py:12/);
  assert.match(text, / {6}n = 3/);
  assert.match(text, /token = \[REDACTED:secret:ab12\]/);
  assert.match(text, /cut to stay within bounds/);
  // A bare data object (no envelope) reads the same.
  assert.equal(parseSnapshot({ ...SNAP_EVENT.data, session: "s1" }).frames[0].symbol, "inner");
});

test("long values are shortened in the text view", () => {
  const snap = parseSnapshot({ type: "debug_snapshot", data: { frames: [{ symbol: "f", locals: { big: "x".repeat(1000) } }] } });
  const line = formatSnapshot(snap).split("\n").find((l) => l.includes("big ="))!;
  assert.ok(line.length < 230);
});

test("timeline rows of a frame: arguments first, then locals, values on one line", () => {
  const snap = parseSnapshot({ type: "debug_snapshot", data: { frames: [
    { symbol: "f", file: "C:\\w\\p.py", line: 4, args: { n: 3 }, locals: { items: [1, 2], text: "a\nb", big: "y".repeat(500) } },
  ] } });
  const rows = variableRows(snap.frames[0]);
  assert.deepEqual(rows.map((r) => [r.name, r.arg]), [["n", true], ["items", false], ["text", false], ["big", false]]);
  assert.equal(rows[0].value, "3");
  assert.equal(rows[1].value, "[1,2]");
  assert.equal(rows[2].value, "a\\nb");
  assert.ok(rows[3].value.length <= 200 && rows[3].value.endsWith("…"));
  assert.equal(whereLabel(snap.frames[0].file, snap.frames[0].line), "p.py:4");
  assert.equal(whereLabel("/w/q.py", undefined), "q.py");
  assert.equal(whereLabel(undefined, 3), "?");
});

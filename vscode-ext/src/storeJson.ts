// Read the JSON that debugtape's query commands print (see the README, "JSON output"), leniently:
// unknown fields are ignored and missing ones get neutral defaults, so a newer debugtape still works.

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface SessionRow {
  id: string;
  name: string;
  tool: string;
  status: string;
  started: string;
  ended: string | undefined;
  snapshots: number | undefined;
  parent: string | undefined;
}

export interface SnapshotRow { id: string; session: string; reason: string; ts: string; file: string | undefined; line: number | undefined; symbol: string | undefined }

export interface FrameView { index: number; symbol: string; file: string | undefined; line: number | undefined; locals: Record<string, unknown>; args: Record<string, unknown> }

export interface SnapshotView extends SnapshotRow { thread: string; frames: FrameView[]; truncation: unknown[]; note: string | undefined }

function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : fallback;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

function obj(v: unknown): Record<string, any> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

function list(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

export function parseSessions(json: unknown): SessionRow[] {
  const rows = Array.isArray(json) ? json : list(obj(json).sessions);
  return rows.map(obj).filter((r) => str(r.id)).map((r) => {
    const counts = obj(r.counts);
    const meta = obj(r.meta);
    return {
      id: str(r.id),
      name: str(r.name) || str(r.id).slice(0, 8),
      tool: str(r.tool),
      status: str(r.status),
      started: str(r.started),
      ended: str(r.ended) || undefined,
      snapshots: num(counts.snapshots) ?? num(r.snapshots),
      parent: str(r.parent) || str(meta.parent) || undefined,
    };
  });
}

/** The events of `show S --json`: a list, or an object holding `events`. */
function eventsOf(json: unknown): Record<string, any>[] {
  if (Array.isArray(json)) return json.map(obj);
  const o = obj(json);
  for (const key of ["events", "timeline", "items"]) if (Array.isArray(o[key])) return o[key].map(obj);
  return [];
}

/** A stored event may come as its envelope (`type`, `data`, ...) or wrapped as `{id, event}`. */
function envelope(e: Record<string, any>): { env: Record<string, any>; id: unknown } {
  if (e.event && typeof e.event === "object") return { env: obj(e.event), id: e.id };
  return { env: e, id: e.id };
}

function snapshotRow(env: Record<string, any>, id: unknown, session: string): SnapshotRow {
  const data = obj(env.data ?? env);
  const top = obj(list(data.frames)[0]);
  return {
    id: str(data.snap_id) || str(env.snap_id) || str(id),
    session: str(env.session) || session,
    reason: str(data.reason, "snapshot"),
    ts: str(env.ts),
    file: str(top.file) || undefined,
    line: num(top.line),
    symbol: str(top.symbol) || undefined,
  };
}

/** `show S --json` lists snapshots as flat rows under `snapshots`; older shapes list raw events. */
export function parseSnapshots(json: unknown, session: string): SnapshotRow[] {
  const rows = obj(json).snapshots;
  if (Array.isArray(rows)) {
    return rows.map(obj).filter((r) => str(r.id)).map((r) => ({
      id: str(r.id),
      session: str(r.session) || session,
      reason: str(r.reason, "snapshot"),
      ts: str(r.ts) || (num(r.ts_ms) !== undefined ? new Date(num(r.ts_ms) as number).toISOString() : ""),
      file: str(r.file) || undefined,
      line: num(r.line),
      symbol: str(r.symbol) || undefined,
    }));
  }
  const out: SnapshotRow[] = [];
  for (const e of eventsOf(json)) {
    const { env, id } = envelope(e);
    if (env.type === "debug_snapshot") out.push(snapshotRow(env, id, session));
  }
  return out;
}

export function parseSnapshot(json: unknown): SnapshotView {
  const o = obj(json);
  const { env, id }: { env: Record<string, any>; id: unknown } =
    o.type || o.event ? envelope(o) : { env: { data: o.snapshot ?? o, session: o.session }, id: o.id };
  const data = obj(env.data ?? env);
  const row = snapshotRow(env, id, str(env.session));
  const thread = obj(data.thread);
  return {
    ...row,
    thread: str(thread.name) || str(thread.id),
    note: str(data.note) || undefined,
    truncation: list(data.truncation),
    frames: list(data.frames).map(obj).map((f, i) => ({
      index: num(f.index) ?? i,
      symbol: str(f.symbol, "?"),
      file: str(f.file) || undefined,
      line: num(f.line),
      locals: obj(f.locals),
      args: obj(f.args),
    })),
  };
}

function short(value: unknown, max = 200): string {
  let text: string;
  if (typeof value === "string") text = value;
  else {
    try {
      text = JSON.stringify(value);
    } catch {
      text = String(value);
    }
  }
  // One value, one line: a line break inside it would read as the next variable.
  text = text.replace(/\r?\n/g, "\\n");
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

export interface VariableRow { name: string; value: string; arg: boolean }

/** A frame's arguments, then its locals, each value shortened to one line. */
export function variableRows(f: FrameView): VariableRow[] {
  return [
    ...Object.entries(f.args).map(([name, v]) => ({ name, value: short(v), arg: true })),
    ...Object.entries(f.locals).map(([name, v]) => ({ name, value: short(v), arg: false })),
  ];
}

/** `file:line` of a frame (or of a snapshot's top frame), the file by its base name; "?" when unknown. */
export function whereLabel(file: string | undefined, line: number | undefined): string {
  return file ? `${file.split(/[\\/]/).pop()}${line !== undefined ? ":" + line : ""}` : "?";
}

/** The snapshot as plain text: one block per frame, its arguments and locals one per line. */
export function formatSnapshot(s: SnapshotView): string {
  const lines = [
    `debugtape snapshot ${s.id}`,
    `session ${s.session}  ·  ${s.reason}  ·  ${s.ts}${s.thread ? `  ·  thread ${s.thread}` : ""}`,
  ];
  if (s.note) lines.push(`note: ${s.note}`);
  lines.push("");
  for (const f of s.frames) {
    lines.push(`#${f.index}  ${f.symbol}  ${f.file ?? "?"}${f.line !== undefined ? ":" + f.line : ""}`);
    for (const v of variableRows(f)) lines.push(`      ${v.arg ? "(arg) " : ""}${v.name} = ${v.value}`);
  }
  if (s.truncation.length) {
    lines.push("", "cut to stay within bounds:");
    for (const t of s.truncation) lines.push(`  ${short(t)}`);
  }
  return lines.join("\n") + "\n";
}

export function snapshotLabel(s: SnapshotRow): string {
  const where = whereLabel(s.file, s.line);
  return s.symbol ? `${where} ${s.symbol}` : where;
}

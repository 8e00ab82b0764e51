import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_BOUNDS } from "../../src/bounds";
import { captureStop } from "../../src/capture";
import { DapMessage } from "../../src/dap";
import { StopState } from "../../src/stopState";

// A debugpy-shaped program state: main -> work -> inner, each frame with Locals and Globals.
const FRAMES = [
  { id: 3, name: "inner", line: 12, source: { path: "/w/prog.py" } },
  { id: 2, name: "work", line: 20, source: { path: "/w/prog.py" } },
  { id: 1, name: "<module>", line: 30, source: { path: "/w/prog.py" } },
];
const SCOPES: Record<number, object[]> = {
  3: [{ name: "Locals", variablesReference: 30, presentationHint: "locals" }, { name: "Globals", variablesReference: 99 }],
  2: [{ name: "Locals", variablesReference: 20 }, { name: "Globals", variablesReference: 99 }],
  1: [{ name: "Locals", variablesReference: 10 }, { name: "Globals", variablesReference: 99 }],
};
const VARS: Record<number, object[]> = {
  30: [
    { name: "special variables", value: "", variablesReference: 31 },
    { name: "n", value: "3", variablesReference: 0 },
    { name: "data", value: "{'a': [1, 2]}", variablesReference: 32 },
  ],
  32: [{ name: "'a'", value: "[1, 2]", variablesReference: 33 }],
  33: [{ name: "0", value: "1", variablesReference: 0 }, { name: "len()", value: "2", variablesReference: 0 }],
  20: [{ name: "token", value: "'s3cr3t'", variablesReference: 0 }],
  10: [
    { name: "self_ref", value: "[...]", variablesReference: 10 },
    { name: "os", value: "<module 'os'>", type: "module", variablesReference: 11 },
    { name: "helper", value: "<function helper>", type: "function", variablesReference: 12 },
    { name: "name", value: "0x4005 \"abc\"", type: "const char *", variablesReference: 13 },
    { name: "[[Prototype]]", value: "Object", variablesReference: 14 },
  ],
};

/** Plays the adapter: answers like debugpy and feeds both directions through the tracker state. */
function adapter(state: StopState): { request: (c: string, a: Record<string, unknown>) => Promise<unknown>; sent: Array<[string, Record<string, unknown>]> } {
  let seq = 100;
  const sent: Array<[string, Record<string, unknown>]> = [];
  const request = async (command: string, args: Record<string, unknown>): Promise<unknown> => {
    sent.push([command, args]);
    const req: DapMessage = { seq: ++seq, type: "request", command, arguments: args };
    state.observe("to_adapter", req);
    let body: Record<string, unknown> = {};
    if (command === "threads") body = { threads: [{ id: 7, name: "MainThread" }] };
    if (command === "stackTrace") body = { stackFrames: FRAMES.slice(0, args.levels as number), totalFrames: FRAMES.length };
    if (command === "scopes") body = { scopes: SCOPES[args.frameId as number] };
    if (command === "variables") body = { variables: VARS[args.variablesReference as number] ?? [] };
    state.observe("from_adapter", { seq: ++seq, type: "response", request_seq: req.seq, success: true, command, body });
    return body;
  };
  return { request, sent };
}

function stopped(state: StopState, threadId?: number): void {
  state.observe("from_adapter", { seq: 1, type: "event", event: "stopped", body: { reason: "breakpoint", threadId } });
}

test("with nothing fetched by the UI, the stack, local scopes and nested locals are fetched, globals never", async () => {
  const state = new StopState();
  stopped(state, 7);
  const { request, sent } = adapter(state);
  const r = await captureStop(state.current!, request, DEFAULT_BOUNDS);
  assert.equal(r.abandoned, undefined);
  const refs = sent.filter(([c]) => c === "variables").map(([, a]) => a.variablesReference);
  assert.deepEqual(sent[0], ["stackTrace", { threadId: 7, startFrame: 0, levels: 20 }]);
  assert.deepEqual(sent.filter(([c]) => c === "scopes").map(([, a]) => a.frameId), [3, 2, 1]);
  assert.deepEqual(refs, [30, 20, 10, 32, 33], "breadth first; special variables, modules, functions, C strings and engine internals skipped; the self reference once");
  assert.ok(!refs.includes(99), "globals are not recorded");
  assert.equal(r.requests, sent.length);
});

test("what the UI already fetched is not asked again", async () => {
  const state = new StopState();
  stopped(state, 7);
  const ui = adapter(state);
  await ui.request("stackTrace", { threadId: 7, startFrame: 0, levels: 20 });
  await ui.request("scopes", { frameId: 3 });
  await ui.request("variables", { variablesReference: 30 });
  const ours = adapter(state);
  await captureStop(state.current!, ours.request, DEFAULT_BOUNDS);
  assert.ok(!ours.sent.some(([c]) => c === "stackTrace"));
  assert.ok(!ours.sent.some(([c, a]) => c === "scopes" && a.frameId === 3));
  assert.ok(!ours.sent.some(([c, a]) => c === "variables" && a.variablesReference === 30));
  assert.ok(ours.sent.some(([c, a]) => c === "variables" && a.variablesReference === 32));
});

test("a UI stack of only the top frame is not enough; a complete short stack is", async () => {
  const state = new StopState();
  stopped(state, 7);
  const ui = adapter(state);
  await ui.request("stackTrace", { threadId: 7, startFrame: 0, levels: 1 });
  const ours = adapter(state);
  await captureStop(state.current!, ours.request, { ...DEFAULT_BOUNDS, localsFrames: 0 });
  assert.deepEqual(ours.sent.map(([c]) => c), ["stackTrace"]);
});

test("bounds: frames with locals, depth and the request budget", async () => {
  const state = new StopState();
  stopped(state, 7);
  const a = adapter(state);
  await captureStop(state.current!, a.request, { ...DEFAULT_BOUNDS, localsFrames: 1, depth: 1 });
  assert.deepEqual(a.sent.map(([c, x]) => `${c}:${x.frameId ?? x.variablesReference ?? ""}`), ["stackTrace:", "scopes:3", "variables:30"]);

  const state2 = new StopState();
  stopped(state2, 7);
  const b = adapter(state2);
  const r = await captureStop(state2.current!, b.request, { ...DEFAULT_BOUNDS, requests: 3 });
  assert.equal(r.budgetExhausted, true);
  assert.equal(b.sent.length, 3);
  assert.match(r.abandoned ?? "", /budget/);
});

test("a stop without a thread id asks for the threads first", async () => {
  const state = new StopState();
  stopped(state);
  const a = adapter(state);
  await captureStop(state.current!, a.request, { ...DEFAULT_BOUNDS, localsFrames: 0 });
  assert.deepEqual(a.sent.map(([c]) => c), ["threads", "stackTrace"]);
  assert.equal(a.sent[1][1].threadId, 7);
});

test("resuming abandons the capture; a failing request is reported, not thrown", async () => {
  const state = new StopState();
  stopped(state, 7);
  const stop = state.current!;
  const a = adapter(state);
  state.observe("to_adapter", { seq: 50, type: "request", command: "continue", arguments: { threadId: 7 } });
  assert.equal(state.current, undefined);
  const r = await captureStop(stop, a.request, DEFAULT_BOUNDS, () => state.current === stop);
  assert.match(r.abandoned ?? "", /resumed/);
  assert.equal(a.sent.length, 0);

  stopped(state, 7);
  const failing = async (): Promise<unknown> => { throw new Error("Thread 7 is running"); };
  const r2 = await captureStop(state.current!, failing, DEFAULT_BOUNDS);
  assert.match(r2.abandoned ?? "", /stackTrace failed: Thread 7 is running/);
});

test("stop bookkeeping: count, thread, continued for another thread keeps the stop", () => {
  const state = new StopState();
  stopped(state, 7);
  stopped(state, 7);
  assert.equal(state.stops, 2);
  state.observe("from_adapter", { seq: 9, type: "event", event: "continued", body: { threadId: 8, allThreadsContinued: false } });
  assert.ok(state.stopped);
  state.observe("from_adapter", { seq: 10, type: "event", event: "continued", body: { threadId: 7 } });
  assert.ok(!state.stopped);
  stopped(state, 7);
  state.observe("from_adapter", { seq: 11, type: "event", event: "terminated" });
  assert.ok(!state.stopped);
});

test("failed responses and responses to other threads are ignored", () => {
  const state = new StopState();
  stopped(state, 7);
  state.observe("to_adapter", { seq: 1, type: "request", command: "stackTrace", arguments: { threadId: 8 } });
  state.observe("from_adapter", { seq: 2, type: "response", request_seq: 1, success: true, command: "stackTrace", body: { stackFrames: FRAMES } });
  state.observe("to_adapter", { seq: 3, type: "request", command: "scopes", arguments: { frameId: 3 } });
  state.observe("from_adapter", { seq: 4, type: "response", request_seq: 3, success: false, command: "scopes", message: "no" });
  assert.equal(state.current!.frames.length, 0);
  assert.equal(state.current!.scopes.size, 0);
});

test("frames the adapter plays down (library code, labels) get no locals", async () => {
  const state = new StopState();
  stopped(state, 7);
  const stop = state.current!;
  stop.frames = [
    { id: 3, name: "inner", line: 12, source: { path: "/w/prog.py" } },
    { id: 2, name: "Module._compile", line: 1, source: { path: "node:internal/x", presentationHint: "deemphasize" } },
    { id: 9, name: "async boundary", presentationHint: "label" },
    { id: 1, name: "<module>", line: 30, source: { path: "/w/prog.py" } },
  ];
  stop.totalFrames = 4;
  const a = adapter(state);
  await captureStop(stop, a.request, { ...DEFAULT_BOUNDS, depth: 1 });
  assert.deepEqual(a.sent.filter(([c]) => c === "scopes").map(([, x]) => x.frameId), [3, 1]);
});

test("the time limit ends the capture with what was fetched by then", async () => {
  const state = new StopState();
  stopped(state, 7);
  const a = adapter(state);
  let clock = 0;
  const slow = async (c: string, x: Record<string, unknown>): Promise<unknown> => { clock += 1000; return a.request(c, x); };
  const r = await captureStop(state.current!, slow, { ...DEFAULT_BOUNDS, timeMs: 2500 }, () => true, () => clock);
  assert.match(r.abandoned ?? "", /time limit of 2500 ms/);
  assert.ok(a.sent.length >= 3 && a.sent.length < 8, String(a.sent.length));
  assert.equal(state.current!.frames.length, 3, "the stack fetched before the limit is kept");
});

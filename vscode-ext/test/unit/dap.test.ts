import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeControl, encodeHeader, encodeMessage, newSessionId } from "../../src/dap";

test("each DAP message becomes one line wrapped with its direction", () => {
  const line = encodeMessage("from_adapter", { seq: 3, type: "event", event: "stopped", body: { threadId: 1, reason: "breakpoint" } });
  assert.ok(line.endsWith("\n"));
  assert.equal(line.indexOf("\n"), line.length - 1, "exactly one line, even with newlines inside values");
  assert.deepEqual(JSON.parse(line), { dir: "from_adapter", msg: { seq: 3, type: "event", event: "stopped", body: { threadId: 1, reason: "breakpoint" } } });
});

test("newlines inside values stay escaped inside the line", () => {
  const line = encodeMessage("to_adapter", { seq: 1, type: "request", command: "evaluate", arguments: { expression: "a\nb" } });
  assert.equal(line.split("\n").length, 2);
  assert.equal(JSON.parse(line).msg.arguments.expression, "a\nb");
});

test("header and control lines live under the debugtape key", () => {
  assert.deepEqual(JSON.parse(encodeHeader({ session: "ab", name: "n", tool: "vscode", parent: "cd" })),
    { debugtape: { session: "ab", name: "n", tool: "vscode", parent: "cd" } });
  assert.deepEqual(JSON.parse(encodeControl({ note: "look here" })), { debugtape: { note: "look here" } });
  assert.deepEqual(JSON.parse(encodeControl({ snapshot: "manual", thread: 4 })), { debugtape: { snapshot: "manual", thread: 4 } });
});

test("an unencodable message becomes an error line instead of throwing", () => {
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const line = encodeMessage("to_adapter", { type: "request", arguments: cyclic });
  assert.match(JSON.parse(line).debugtape.error, /unencodable/);
});

test("session ids are 16 hex digits", () => {
  const id = newSessionId(() => Uint8Array.from({ length: 8 }, (_, i) => i * 17));
  assert.match(id, /^[0-9a-f]{16}$/);
  assert.equal(id.slice(0, 4), "0011");
});

test("redaction extras become one DEBUGTAPE_REDACT table", async () => {
  const { redactEnv } = await import("../../src/redactEnv");
  assert.deepEqual(redactEnv([], []), {});
  assert.deepEqual(redactEnv(["session_cookie", 3, ""], ["acme-[0-9a-f]{16}"]), {
    DEBUGTAPE_REDACT: JSON.stringify({ deny_keys: ["session_cookie"], patterns: [{ name: "vscode1", regex: "acme-[0-9a-f]{16}" }] }),
  });
});

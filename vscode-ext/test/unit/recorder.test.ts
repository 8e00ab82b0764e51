import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { Recorder } from "../../src/recorder";

// A stand-in for `debugtape ingest --dap` that copies its stdin to a file (or fails at once).
const COPY = "const fs=require('fs');const out=fs.createWriteStream(process.argv[1]);process.stdin.pipe(out);out.on('finish',()=>process.exit(0));";
const FAIL = "process.stderr.write('debugtape ingest: no such store\\n');process.exit(2);";

function tmpFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "dt-rec-")), "stream.jsonl");
}

test("the header comes first, then each message in order; close waits for the child", async () => {
  const out = tmpFile();
  const failures: string[] = [];
  const rec = new Recorder({ command: process.execPath, args: ["-e", COPY, out], env: process.env },
    { session: "0123456789abcdef", name: "n", tool: "vscode" }, (m) => failures.push(m));
  rec.message("to_adapter", { seq: 1, type: "request", command: "initialize", arguments: {} });
  rec.message("from_adapter", { seq: 2, type: "event", event: "stopped", body: { threadId: 1 } });
  rec.control({ note: "hello" });
  assert.equal(rec.snapshots, 1);
  rec.control({ snapshot: "manual", thread: 1 }); // a snapshot of its own in the store: counted too
  assert.equal(await rec.close(), 0);
  const lines = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => Object.keys(l)[0]), ["debugtape", "dir", "dir", "debugtape", "debugtape"]);
  assert.equal(lines[0].debugtape.session, "0123456789abcdef");
  assert.equal(lines[2].msg.event, "stopped");
  assert.equal(rec.snapshots, 2);
  assert.equal(rec.sent, 5);
  assert.deepEqual(failures, []);
});

test("a child that fails is reported once with its message, and later lines are dropped", async () => {
  const failures: string[] = [];
  const rec = new Recorder({ command: process.execPath, args: ["-e", FAIL], env: process.env },
    { session: "0123456789abcdef", name: "n", tool: "vscode" }, (m) => failures.push(m));
  assert.equal(await rec.close(), 2);
  rec.message("to_adapter", { seq: 1, type: "request", command: "threads" });
  assert.equal(failures.length, 1);
  assert.match(failures[0], /exited with 2: debugtape ingest: no such store/);
  assert.ok(rec.dropped >= 1);
});

test("a command that cannot start is reported, not thrown", async () => {
  const failures: string[] = [];
  const rec = new Recorder({ command: "/nonexistent/debugtape", args: [], env: process.env },
    { session: "0123456789abcdef", name: "n", tool: "vscode" }, (m) => failures.push(m));
  assert.equal(await rec.close(), null);
  assert.match(failures[0] ?? "", /cannot start \/nonexistent\/debugtape/);
});

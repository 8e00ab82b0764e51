import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { locate, NotFound } from "../../src/locate";

function tree(): { root: string; bin: string; ws: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "dt-locate-"));
  const bin = path.join(root, "bin");
  const ws = path.join(root, "ws");
  fs.mkdirSync(bin);
  fs.mkdirSync(ws);
  return { root, bin, ws };
}

function exe(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, 0o755);
}

test("the workspace virtual environment comes before PATH", () => {
  const { bin, ws } = tree();
  exe(path.join(bin, "debugtape"));
  exe(path.join(ws, ".venv", "bin", "debugtape"));
  assert.deepEqual(locate({ name: "debugtape", setting: "", folders: [ws], envPath: bin }),
    { command: path.join(ws, ".venv", "bin", "debugtape"), source: "venv" });
});

test("PATH is used when there is no virtual environment; files that are not executable are skipped", () => {
  const { root, bin, ws } = tree();
  const other = path.join(root, "other");
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, "debugtape"), "not executable");
  exe(path.join(bin, "debugtape"));
  assert.deepEqual(locate({ name: "debugtape", setting: "", folders: [ws], envPath: [other, bin].join(path.delimiter) }),
    { command: path.join(bin, "debugtape"), source: "path" });
});

test("the setting wins, and a wrong setting says so instead of falling back", () => {
  const { root, bin, ws } = tree();
  exe(path.join(bin, "debugtape"));
  exe(path.join(root, "custom", "dt"));
  assert.equal(locate({ name: "debugtape", setting: path.join(root, "custom", "dt"), folders: [ws], envPath: bin }).source, "setting");
  assert.throws(() => locate({ name: "debugtape", setting: "/nowhere/debugtape", folders: [ws], envPath: bin }),
    (err: unknown) => err instanceof NotFound && /debugtape\.path setting/.test(err.message));
});

test("not found anywhere: the message names where it looked and the fix", () => {
  const { bin, ws } = tree();
  assert.throws(() => locate({ name: "debugtape", setting: "", folders: [ws], envPath: bin }), (err: unknown) => {
    assert.ok(err instanceof NotFound);
    assert.match(err.message, /\.venv/);
    assert.match(err.message, /PATH/);
    assert.match(err.message, /\.venv\/bin\/pip install -e /);
    assert.match(err.message, /debugtape\.path/);
    return true;
  });
});

test("python3 falls back to python", () => {
  const { bin, ws } = tree();
  exe(path.join(ws, "venv", "bin", "python"));
  assert.equal(locate({ name: "python3", setting: "", folders: [ws], envPath: bin }).command, path.join(ws, "venv", "bin", "python"));
});

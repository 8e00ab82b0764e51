// Runs inside code-server's extension host (extensionTestsPath): debugs a real Python program with
// a breakpoint through the debugtape debug type, then checks the Timeline view lists the snapshot.
// The pytest side (tests/vscode) then checks the store and keeps the screenshot.
//
// DEBUGTAPE_E2E_DIR holds spec.json ({program, line, config, local}) and receives suite.log,
// result.json and ready.json; the browser driver answers ready.json with shot.done.

import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import type { DebugtapeApi } from "../../src/extension";
import type { TimelineNode } from "../../src/timeline";

const dir = process.env.DEBUGTAPE_E2E_DIR ?? "";

function log(text: string): void {
  fs.appendFileSync(path.join(dir, "suite.log"), `${new Date().toISOString()} ${text}\n`);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let activeApi: DebugtapeApi | undefined;

async function scenario(): Promise<void> {
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "spec.json"), "utf8"));
  const ext = vscode.extensions.all.find((e) => e.packageJSON.name === "debugtape");
  if (!ext) throw new Error("the debugtape extension is not loaded");
  const api = (await ext.activate()) as DebugtapeApi;
  activeApi = api;
  log(`activated ${ext.id}`);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error("no workspace folder open");

  const uri = vscode.Uri.file(spec.program);
  const at = (file: string, line: number): vscode.SourceBreakpoint =>
    new vscode.SourceBreakpoint(new vscode.Location(vscode.Uri.file(file), new vscode.Position(line - 1, 0)));
  vscode.debug.addBreakpoints([at(spec.program, spec.line), at(spec.childProgram, spec.childLine)]);
  const terminated = new Promise<void>((resolve) => {
    const sub = vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.parentSession === undefined) { sub.dispose(); resolve(); }
    });
  });
  if (!(await vscode.debug.startDebugging(folder, spec.config))) throw new Error(`startDebugging("${spec.config}") failed`);
  log("debugging started");

  const tracked = await until("the breakpoint stop", () => [...api.manager.tracked.values()].find((t) => !t.parent && t.state.current), 60000);
  if (!tracked.recorder) throw new Error("the session is not being recorded: " + JSON.stringify(tracked.session.configuration));
  const stop = tracked.state.current!;
  const top = await until("the top frame", () => stop.frames[0], 20000);
  log(`stopped at ${top.source?.path}:${top.line} (${stop.reason})`);
  if (top.line !== spec.line) throw new Error(`stopped at line ${top.line}, expected ${spec.line}`);
  await api.manager.settled(tracked);
  const locals = [...stop.variables.values()].flat().map((v) => v.name);
  log(`captured ${stop.frames.length} frames, ${stop.variables.size} variable lists: ${locals.slice(0, 20).join(", ")}`);
  if (!locals.includes(spec.local)) throw new Error(`local ${spec.local} was not fetched at the stop`);
  if (api.status.text !== "$(record) debugtape: 1 snapshot") throw new Error(`status bar shows "${api.status.text}"`);
  await vscode.commands.executeCommand("debugtape.addNote", "e2e note at the breakpoint");
  await vscode.commands.executeCommand("debugtape.snapshotNow");
  const status = api.status.text as string; // read again: the command changed it
  if (status !== "$(record) debugtape: 2 snapshots") throw new Error(`after Snapshot Now the status bar shows "${status}"`);

  await tracked.session.customRequest("continue", { threadId: stop.threadId });

  // prog.py runs child.py: debugpy reports it, VS Code attaches a child session, which stops at
  // its own breakpoint and must be recorded as a child of this session.
  const child = await until("the child session's stop", () =>
    [...api.manager.tracked.values()].find((t) => t.parent === tracked && t.state.current), 60000);
  const childStop = child.state.current!;
  const childTop = await until("the child's top frame", () => childStop.frames[0], 20000);
  log(`child session "${child.session.name}" stopped at ${childTop.source?.path}:${childTop.line}`);
  if (!child.recorder) throw new Error("the child session is not being recorded");
  const childName = child.recorder.header.name;
  if (child.recorder.header.parent !== tracked.debugtapeId) throw new Error(`child header ${JSON.stringify(child.recorder.header)} does not name parent ${tracked.debugtapeId}`);
  if (childTop.line !== spec.childLine) throw new Error(`child stopped at line ${childTop.line}, expected ${spec.childLine}`);
  await api.manager.settled(child);
  await child.session.customRequest("continue", { threadId: childStop.threadId });
  await terminated;
  log("debug session terminated");
  await until("the recording to close", () => api.manager.tracked.size === 0, 30000);

  vscode.debug.addBreakpoints([at(spec.nodeProgram, spec.nodeLine)]);
  await snapshotWhileRunning(api, folder, spec);
  const node = await recordNodeSession(api, folder, spec);
  // After recordAll (the window's Stop Recording would otherwise outrank it, as documented).
  const joined = await joinNodeSessionWhileStopped(api, folder, spec);
  const notFound = await debugWithoutDebugtape(api, folder, spec);

  await vscode.commands.executeCommand("debugtape.openTimeline");
  const sessions = await until("the session in the Timeline", async () => {
    const nodes = await api.timeline.getChildren();
    return nodes.find((n) => n.kind === "session" && n.session.name === spec.sessionName) as Extract<TimelineNode, { kind: "session" }> | undefined;
  }, 20000);
  log(`timeline lists session ${sessions.session.id} (${sessions.session.status}, ${sessions.session.snapshots} snapshots)`);
  const snaps = (await api.timeline.getChildren(sessions)).filter((n) => n.kind === "snapshot") as Extract<TimelineNode, { kind: "snapshot" }>[];
  const snap = snaps.find((n) => n.snapshot.line === spec.line);
  if (!snap) throw new Error(`no snapshot at line ${spec.line} in the Timeline: ${JSON.stringify(snaps.map((s) => s.snapshot))}`);
  await revealWithRetry(api, sessions, { expand: true, select: false, focus: true });

  await vscode.commands.executeCommand("debugtape.openSnapshot", snap.snapshot.id);
  const editors = vscode.window.visibleTextEditors;
  const source = editors.find((e) => e.document.uri.fsPath === uri.fsPath);
  if (!source) throw new Error("opening the snapshot did not open the source file");
  if (source.selection.active.line !== spec.line - 1) throw new Error(`source opened at line ${source.selection.active.line + 1}`);
  const view = editors.find((e) => e.document.uri.scheme === "debugtape-snapshot");
  if (!view) throw new Error("opening the snapshot did not show its frames and locals");
  const text = view.document.getText();
  if (!text.includes(`${spec.local} =`)) throw new Error(`the snapshot view lacks local ${spec.local}:\n${text}`);
  if (text.includes(spec.secret)) throw new Error("the snapshot view shows the planted secret");
  log("snapshot view:\n" + text);
  const frames = await checkFramesInTimeline(api, snap, spec);
  const childPlace = await checkChildUnderParent(api, tracked.debugtapeId, child.debugtapeId);


  fs.writeFileSync(path.join(dir, "result.json"), JSON.stringify({
    nodeSessions: node,
    joinedSessions: joined,
    notFound,
    session: sessions.session, snapshot: snap.snapshot, snapshotText: text, frames,
    parentId: tracked.debugtapeId, childId: child.debugtapeId, childName, childPlace,
  }, null, 2));
  // Give the Timeline room in the screenshot (best effort: layout commands, not what is tested).
  for (const cmd of ["workbench.action.closePanel", "debugtape.timeline.focus"]) {
    await vscode.commands.executeCommand(cmd).then(undefined, () => undefined);
  }
  // Hand over to the browser driver for the screenshot while the view is still populated.
  fs.writeFileSync(path.join(dir, "ready.json"), JSON.stringify({ session: spec.sessionName, label: "" }));
  await until("the screenshot", () => fs.existsSync(path.join(dir, "shot.done")), 60000);
}

/**
 * Any debug type: VS Code's built-in JavaScript debugger (js-debug, types "node"/"pwa-node"),
 * recorded because debugtape.recordAll is on. js-debug runs the program in a child session.
 */
async function recordNodeSession(
  api: DebugtapeApi, folder: vscode.WorkspaceFolder, spec: Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<string[]> {
  await vscode.workspace.getConfiguration("debugtape").update("recordAll", true, vscode.ConfigurationTarget.Workspace);
  const names: string[] = [];
  const sub = vscode.debug.onDidStartDebugSession(() => {
    for (const t of api.manager.tracked.values()) if (t.recorder && !names.includes(t.recorder.header.name)) names.push(t.recorder.header.name);
  });
  const ok = await vscode.debug.startDebugging(folder, { type: "node", request: "launch", name: "node e2e", program: spec.nodeProgram });
  if (!ok) throw new Error("startDebugging(node) failed");
  const t = await until("the node breakpoint stop", () => [...api.manager.tracked.values()].find((x) => x.state.current), 60000);
  const stop = t.state.current!;
  const top = await until("the node top frame", () => stop.frames[0], 20000);
  log(`node session "${t.session.name}" (${t.session.type}) stopped at line ${top.line}, recorded: ${Boolean(t.recorder)}`);
  if (!t.recorder) throw new Error(`the ${t.session.type} session is not being recorded`);
  await api.manager.settled(t);
  const locals = [...stop.variables.values()].flat().map((v) => v.name);
  log(`node locals: ${locals.slice(0, 20).join(", ")}`);
  if (!locals.includes("count")) throw new Error("local count was not fetched at the node stop");
  sub.dispose();
  for (const x of api.manager.tracked.values()) if (x.recorder && !names.includes(x.recorder.header.name)) names.push(x.recorder.header.name);
  await t.session.customRequest("continue", { threadId: stop.threadId });
  await until("the node recordings to close", () => api.manager.tracked.size === 0, 30000);
  await vscode.workspace.getConfiguration("debugtape").update("recordAll", undefined, vscode.ConfigurationTarget.Workspace);
  return names;
}

/** Snapshot Now on a running program: pause, record that stop as a manual snapshot, carry on. */
async function snapshotWhileRunning(
  api: DebugtapeApi, folder: vscode.WorkspaceFolder, spec: Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<void> {
  const config = {
    type: "debugtape", request: "launch", name: "loop", program: spec.loopProgram, args: [spec.loopStopFile],
    console: "internalConsole", debugtape: { record: true, name: spec.loopSessionName, sample: "50hz" },
  };
  if (!(await vscode.debug.startDebugging(folder, config))) throw new Error("startDebugging(loop) failed");
  const t = await until("the loop session", () => [...api.manager.tracked.values()].find((x) => x.recorder), 30000);
  await new Promise((r) => setTimeout(r, 1500)); // let it run into the loop
  if (t.state.current) throw new Error("the loop program stopped by itself");
  await vscode.commands.executeCommand("debugtape.snapshotNow");
  await until("the pause for the snapshot", () => t.state.stops > 0, 20000);
  await until("the program to carry on after the snapshot", () => t.state.stops > 0 && !t.state.current && t.captures.length === 0, 20000);
  log(`Snapshot Now while running: ${t.state.stops} stop(s), running again`);
  const ended = new Promise<void>((resolve) => {
    const sub = vscode.debug.onDidTerminateDebugSession((s) => { if (s === t.session) { sub.dispose(); resolve(); } });
  });
  fs.writeFileSync(spec.loopStopFile, "");
  await ended;
  await until("the loop recording to close", () => api.manager.tracked.size === 0, 30000);
}

/** Start Recording joins a session that is already stopped: the current stop is recorded too. */
async function joinNodeSessionWhileStopped(
  api: DebugtapeApi, folder: vscode.WorkspaceFolder, spec: Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<string[]> {
  if (!(await vscode.debug.startDebugging(folder, { type: "node", request: "launch", name: "node joined", program: spec.nodeProgram }))) {
    throw new Error("startDebugging(node joined) failed");
  }
  const t = await until("the unrecorded node stop", () => [...api.manager.tracked.values()].find((x) => x.state.current), 60000);
  await until("the unrecorded node top frame", () => t.state.current?.frames[0], 20000);
  if (api.manager.recording().length) throw new Error("a session was recorded before Start Recording");
  await vscode.commands.executeCommand("debugtape.startRecording");
  const names = api.manager.recording().map((x) => x.recorder!.header.name);
  log(`Start Recording joined: ${names.join(", ")}`);
  if (!t.recorder) throw new Error("Start Recording did not record the stopped session");
  const stop = t.state.current!;
  await t.session.customRequest("continue", { threadId: stop.threadId });
  await until("the joined recordings to close", () => api.manager.tracked.size === 0, 30000);
  await vscode.commands.executeCommand("debugtape.stopRecording"); // back to the default for this window
  return names;
}

/** The child session is listed under its parent session in the Timeline, not on top. */
async function checkChildUnderParent(api: DebugtapeApi, parentId: string | undefined, childId: string | undefined): Promise<string> {
  if (!parentId || !childId) throw new Error(`no debugtape ids: parent ${parentId}, child ${childId}`);
  const roots = await api.timeline.getChildren();
  const top = roots.filter((n) => n.kind === "session") as Extract<TimelineNode, { kind: "session" }>[];
  if (top.some((n) => n.session.id === childId)) throw new Error("the child session is listed on top of the Timeline");
  const parent = top.find((n) => n.session.id === parentId);
  if (!parent) throw new Error("the parent session is not on top of the Timeline");
  const under = (await api.timeline.getChildren(parent)).filter((n) => n.kind === "session") as Extract<TimelineNode, { kind: "session" }>[];
  const child = under.find((n) => n.session.id === childId);
  if (!child) throw new Error(`the child session is not under its parent: ${JSON.stringify(under.map((n) => n.session.id))}`);
  if (api.timeline.getParent(child) !== parent) throw new Error("the child session's tree parent is not its parent session");
  log(`timeline lists child session ${childId} under ${parentId}`);
  return "under parent";
}

/**
 * Under the snapshot in the Timeline: its frames, and under the top frame its locals (redacted
 * as stored). Go to Frame opens the caller's line. Leaves the top frame revealed for the screenshot.
 */
async function checkFramesInTimeline(
  api: DebugtapeApi, snap: Extract<TimelineNode, { kind: "snapshot" }>, spec: Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<string[]> {
  const frames = (await api.timeline.getChildren(snap)).filter((n) => n.kind === "frame") as Extract<TimelineNode, { kind: "frame" }>[];
  const labels = frames.map((f) => `${api.timeline.getTreeItem(f).label} ${api.timeline.getTreeItem(f).description}`);
  log(`timeline frames: ${labels.join(" | ")}`);
  if (frames[0]?.frame.symbol !== "checksum" || frames[0].frame.line !== spec.line) throw new Error(`top frame in the Timeline: ${labels[0]}`);
  const vars = await api.timeline.getChildren(frames[0]);
  const rows = vars.map((v) => `${api.timeline.getTreeItem(v).label} = ${api.timeline.getTreeItem(v).description}`);
  log(`timeline locals of the top frame: ${rows.join(" | ")}`);
  if (!rows.includes(`${spec.local} = 60`)) throw new Error(`the Timeline lacks ${spec.local} = 60 under the top frame`);
  if (rows.some((r) => r.includes(spec.secret))) throw new Error("the Timeline shows the planted secret");
  const caller = frames.find((f) => f.frame.symbol === "main");
  if (!caller?.frame.file || caller.frame.line === undefined) throw new Error("no caller frame with a location");
  const item = api.timeline.getTreeItem(caller);
  if (item.command?.command !== "debugtape.openFrame") throw new Error(`frame item command: ${JSON.stringify(item.command)}`);
  await vscode.commands.executeCommand(item.command.command, ...(item.command.arguments ?? []));
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.uri.fsPath !== caller.frame.file || editor.selection.active.line !== caller.frame.line - 1) {
    throw new Error(`Go to Frame opened ${editor?.document.uri.fsPath}:${(editor?.selection.active.line ?? -2) + 1}, expected ${caller.frame.file}:${caller.frame.line}`);
  }
  await revealWithRetry(api, frames[0], { expand: true, select: false, focus: true });
  return labels;
}

/** A refresh (a session just closed) clears VS Code's tree cache; a reveal racing the view's own
 * fetch of the root can then register a node twice inside VS Code and reject. Try again. */
async function revealWithRetry(api: DebugtapeApi, node: TimelineNode, options: { expand: boolean | number; select: boolean; focus: boolean }): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await api.treeView.reveal(node, options);
      return;
    } catch (err) {
      if (attempt >= 5) throw err;
      log(`reveal attempt ${attempt} failed (${err instanceof Error ? err.message : String(err)}); retrying`);
      await new Promise((r) => setTimeout(r, 700));
    }
  }
}

/**
 * debugtape missing (a wrong debugtape.path): the session is debugged unrecorded, and the message
 * says what is wrong and how to fix it. Returns the message as the extension logged it.
 */
async function debugWithoutDebugtape(
  api: DebugtapeApi, folder: vscode.WorkspaceFolder, spec: Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
): Promise<string> {
  const settings = vscode.workspace.getConfiguration("debugtape");
  const saved = settings.inspect<string>("path")?.workspaceValue;
  await settings.update("path", spec.missingDebugtape, vscode.ConfigurationTarget.Workspace);
  try {
    const config = {
      type: "debugtape", request: "launch", name: "no debugtape", program: spec.childProgram, args: ["5"],
      console: "internalConsole", debugtape: { record: true },
    };
    if (!(await vscode.debug.startDebugging(folder, config))) throw new Error("startDebugging(no debugtape) failed");
    const t = await until("the stop without debugtape", () => [...api.manager.tracked.values()].find((x) => x.state.current), 60000);
    const top = await until("its top frame", () => t.state.current?.frames[0], 20000);
    if (t.recorder) throw new Error("a session was recorded with debugtape.path pointing nowhere");
    if (top.line !== spec.childLine) throw new Error(`stopped at line ${top.line}, expected ${spec.childLine}`);
    const message = api.manager.recentLog.find((l) => l.includes(`not found at "${spec.missingDebugtape}"`));
    if (!message) throw new Error(`no not-found message in the log:\n${api.manager.recentLog.slice(-10).join("\n")}`);
    log(`without debugtape: debugged unrecorded to line ${top.line}; said: ${message}`);
    await t.session.customRequest("continue", { threadId: t.state.current?.threadId });
    await until("the unrecorded session to end", () => api.manager.tracked.size === 0, 30000);
    return message;
  } finally {
    await settings.update("path", saved, vscode.ConfigurationTarget.Workspace);
  }
}

export async function run(): Promise<void> {
  try {
    await scenario();
    log("PASS");
    log("extension log:\n" + (activeApi?.manager.recentLog.join("\n") ?? ""));
  } catch (err) {
    log(`FAIL: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    log("extension log:\n" + (activeApi?.manager.recentLog.join("\n") ?? "(not activated)"));
    throw err;
  }
}

// Entry point: wires the session tracker, the debugtape debug type, commands, the Timeline view
// and the status bar item.

import * as vscode from "vscode";
import { DebugpyAdapterFactory, DebugtapeConfigurations, onDebugpyAttach } from "./debugType";
import { DEBUGTAPE_TYPE, sectionOf } from "./launchConfig";
import { SessionManager, Tracked } from "./sessions";
import { openSnapshot, SCHEME, showSource, SnapshotDocuments } from "./snapshotDocument";
import { RecordingStatus } from "./statusBar";
import { TimelineProvider } from "./timeline";

export interface DebugtapeApi {
  manager: SessionManager;
  timeline: TimelineProvider;
  treeView: vscode.TreeView<unknown>;
  status: RecordingStatus;
}

function activeTracked(manager: SessionManager): Tracked | undefined {
  const session = vscode.debug.activeDebugSession;
  return session ? manager.tracked.get(session.id) : undefined;
}

export function activate(context: vscode.ExtensionContext): DebugtapeApi {
  const log = vscode.window.createOutputChannel("debugtape");
  const manager = new SessionManager(context, log);
  const timeline = new TimelineProvider();
  const treeView = vscode.window.createTreeView("debugtape.timeline", { treeDataProvider: timeline, showCollapseAll: true });
  const status = new RecordingStatus(manager);
  const sub = context.subscriptions;
  sub.push(log, treeView, status);
  sub.push(vscode.debug.registerDebugAdapterTrackerFactory("*", manager));
  sub.push(vscode.debug.registerDebugConfigurationProvider(DEBUGTAPE_TYPE, new DebugtapeConfigurations()));
  sub.push(vscode.debug.registerDebugAdapterDescriptorFactory(DEBUGTAPE_TYPE, new DebugpyAdapterFactory()));
  sub.push(vscode.debug.onDidReceiveDebugSessionCustomEvent(onDebugpyAttach));
  sub.push(vscode.workspace.registerTextDocumentContentProvider(SCHEME, new SnapshotDocuments()));
  // A session that ended or gained a snapshot changes what the store holds.
  let refreshTimer: NodeJS.Timeout | undefined;
  sub.push(manager.onDidChange(() => {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => timeline.refresh(), 500);
  }));
  sub.push(vscode.debug.onDidTerminateDebugSession((session) => {
    const t = manager.tracked.get(session.id);
    // Let the adapter's last messages reach the tracker before closing the stream.
    if (t) setTimeout(() => void manager.finish(t), 300);
  }));

  const command = (id: string, fn: (...args: any[]) => unknown): void => { // eslint-disable-line @typescript-eslint/no-explicit-any
    sub.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        log.appendLine(`${id}: ${msg}`);
        void vscode.window.showErrorMessage(`debugtape: ${msg}`);
        return undefined;
      }
    }));
  };

  command("debugtape.startRecording", async () => {
    await manager.setToggle(true);
    let started = 0;
    const captures: Promise<unknown>[] = [];
    // Parents come before their children in `tracked`, so a child's header can name its parent.
    for (const t of manager.tracked.values()) {
      const section = sectionOf(t.session.configuration as Record<string, unknown>);
      if (t.recorder || section.record === false) continue;
      if (!manager.startRecorder(t, section.name ?? t.session.name, undefined)) continue;
      started += 1;
      const joined = manager.joinStopped(t);
      if (joined) captures.push(joined);
    }
    await Promise.all(captures);
    void vscode.window.showInformationMessage(
      started ? `debugtape: recording ${started} running session${started === 1 ? "" : "s"} and every new one in this window`
        : "debugtape: every new debug session in this window will be recorded");
  });
  command("debugtape.stopRecording", async () => {
    await manager.setToggle(false);
    await Promise.all(manager.recording().map((t) => manager.stopRecorder(t)));
    void vscode.window.showInformationMessage("debugtape: recording stopped for this window");
  });
  command("debugtape.addNote", async (text?: string) => {
    const t = activeTracked(manager);
    if (!t?.recorder) throw new Error("the active debug session is not being recorded (run debugtape: Start Recording)");
    const note = typeof text === "string" ? text : await vscode.window.showInputBox({ prompt: "Note for the debugtape timeline" });
    if (!note) return;
    t.recorder.control({ note });
  });
  command("debugtape.snapshotNow", async () => {
    const t = activeTracked(manager);
    if (!t?.recorder) throw new Error("the active debug session is not being recorded (run debugtape: Start Recording)");
    const stop = t.state.current;
    if (stop) {
      await manager.capture(t, stop);
      manager.manualSnapshot(t, stop);
      return;
    }
    // Running: pause, capture at that stop, then resume (see SessionManager.onStop).
    t.pauseForSnapshot = true;
    const threads = ((await t.session.customRequest("threads")) ?? {}).threads ?? [];
    await t.session.customRequest("pause", { threadId: threads[0]?.id ?? 0 });
  });
  command("debugtape.openTimeline", async () => {
    timeline.refresh();
    await vscode.commands.executeCommand("workbench.view.debug");
    await vscode.commands.executeCommand("debugtape.timeline.focus");
  });
  command("debugtape.refreshTimeline", () => timeline.refresh());
  command("debugtape.openSnapshot", (id: string) => openSnapshot(String(id)));
  command("debugtape.openFrame", async (file: string, line?: number) => {
    if (!(await showSource(String(file), typeof line === "number" ? line : undefined))) throw new Error(`cannot open ${file}`);
  });

  return { manager, timeline, treeView: treeView as vscode.TreeView<unknown>, status };
}

export function deactivate(): Promise<void> {
  return Promise.resolve();
}

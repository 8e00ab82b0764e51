// The Timeline view in the Run and Debug side bar: sessions (a child session under the session
// that started it), then their snapshots, then each snapshot's frames, then each frame's
// arguments and locals.

import * as vscode from "vscode";
import { runJson } from "./cli";
import { NotFound } from "./locate";
import { cliTarget } from "./settings";
import { loadSnapshot } from "./snapshotDocument";
import {
  FrameView, parseSessions, parseSnapshots, SessionRow, snapshotLabel, SnapshotRow, VariableRow, variableRows, whereLabel,
} from "./storeJson";

export type TimelineNode =
  | { kind: "session"; session: SessionRow; parent?: TimelineNode }
  | { kind: "snapshot"; snapshot: SnapshotRow; parent: TimelineNode }
  | { kind: "frame"; snapshot: string; frame: FrameView; parent: TimelineNode }
  | { kind: "variable"; variable: VariableRow; parent: TimelineNode }
  | { kind: "message"; text: string; parent?: TimelineNode };

const MAX_SESSIONS = 50;

function errorText(err: unknown): string {
  return err instanceof NotFound ? "debugtape not found: set debugtape.path" : `debugtape: ${err instanceof Error ? err.message : String(err)}`;
}

export class TimelineProvider implements vscode.TreeDataProvider<TimelineNode> {
  private changed = new vscode.EventEmitter<TimelineNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The last lists shown, so tests (and the status bar) can read what the view holds. */
  lastSessions: SessionRow[] = [];
  lastSnapshots = new Map<string, SnapshotRow[]>();
  // VS Code knows tree elements by identity and their ids must stay unique: hand out one object
  // per key, updated in place, so a refresh or reveal never sees a twin.
  private nodes = new Map<string, TimelineNode>();

  private node<T extends TimelineNode>(key: string, fresh: T): T {
    const known = this.nodes.get(key) as T | undefined;
    if (!known) {
      this.nodes.set(key, fresh);
      return fresh;
    }
    Object.assign(known, fresh);
    return known;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: TimelineNode): vscode.TreeItem {
    switch (node.kind) {
      case "message": {
        const item = new vscode.TreeItem(node.text);
        item.iconPath = new vscode.ThemeIcon("info");
        return item;
      }
      case "session": {
        const s = node.session;
        const item = new vscode.TreeItem(s.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `session:${s.id}`;
        const count = s.snapshots !== undefined ? `${s.snapshots} snapshot${s.snapshots === 1 ? "" : "s"}` : "";
        item.description = [s.status, count, s.started.replace("T", " ").slice(0, 19)].filter(Boolean).join(" · ");
        item.tooltip = `${s.name}\n${s.id}\n${s.tool} · ${s.status}\nstarted ${s.started}${s.ended ? `\nended ${s.ended}` : ""}`;
        item.iconPath = new vscode.ThemeIcon(s.status === "active" ? "record" : s.status === "interrupted" ? "warning" : "debug-alt");
        item.contextValue = "debugtape.session";
        return item;
      }
      case "snapshot": {
        // Clicking opens the snapshot (source and document); the twistie lists its frames.
        const snap = node.snapshot;
        const item = new vscode.TreeItem(snapshotLabel(snap), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `snapshot:${snap.session}:${snap.id}`;
        item.description = `${snap.reason} · ${snap.ts.replace("T", " ").slice(11, 23)}`;
        item.tooltip = `${snap.reason} at ${snap.file ?? "?"}:${snap.line ?? "?"}\n${snap.ts}\nsnapshot ${snap.id}`;
        item.iconPath = new vscode.ThemeIcon("debug-breakpoint-log");
        item.contextValue = "debugtape.snapshot";
        item.command = { command: "debugtape.openSnapshot", title: "Open Snapshot", arguments: [snap.id] };
        return item;
      }
      case "frame": {
        const f = node.frame;
        const hasValues = variableRows(f).length > 0;
        const item = new vscode.TreeItem(`#${f.index} ${f.symbol}`,
          hasValues ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `frame:${node.snapshot}:${f.index}`;
        item.description = whereLabel(f.file, f.line);
        item.tooltip = `${f.symbol}\n${f.file ?? "?"}:${f.line ?? "?"}`;
        item.iconPath = new vscode.ThemeIcon("debug-stackframe");
        item.contextValue = "debugtape.frame";
        if (f.file) item.command = { command: "debugtape.openFrame", title: "Go to Frame", arguments: [f.file, f.line] };
        return item;
      }
      case "variable": {
        const v = node.variable;
        const item = new vscode.TreeItem(v.name, vscode.TreeItemCollapsibleState.None);
        item.description = v.value;
        item.tooltip = `${v.arg ? "argument" : "local"} ${v.name} = ${v.value}`;
        item.iconPath = new vscode.ThemeIcon(v.arg ? "symbol-parameter" : "symbol-variable");
        item.contextValue = "debugtape.variable";
        return item;
      }
    }
  }

  async getChildren(node?: TimelineNode): Promise<TimelineNode[]> {
    try {
      if (!node) {
        const sessions = parseSessions(await runJson(cliTarget(), ["sessions"]));
        this.lastSessions = sessions.slice(0, MAX_SESSIONS);
        if (!sessions.length) return [{ kind: "message", text: "No recorded sessions yet" }];
        // Child sessions go under their parent; one whose parent is not listed stays on top.
        const listed = new Set(this.lastSessions.map((s) => s.id));
        return this.lastSessions.filter((s) => !s.parent || !listed.has(s.parent))
          .map((session) => this.node(`session:${session.id}`, { kind: "session", session, parent: undefined }));
      }
      if (node.kind === "session") {
        const children = this.lastSessions.filter((s) => s.parent === node.session.id)
          .map((session) => this.node(`session:${session.id}`, { kind: "session", session, parent: node }));
        const snaps = parseSnapshots(await runJson(cliTarget(), ["show", node.session.id]), node.session.id);
        this.lastSnapshots.set(node.session.id, snaps);
        if (!snaps.length && !children.length) return [{ kind: "message", text: "No snapshots", parent: node }];
        return [...children, ...snaps.map((snapshot) =>
          this.node(`snapshot:${snapshot.session}:${snapshot.id}`, { kind: "snapshot", snapshot, parent: node }))];
      }
      if (node.kind === "snapshot") {
        const id = node.snapshot.id;
        const frames = (await loadSnapshot(id)).frames;
        if (!frames.length) return [{ kind: "message", text: "No frames", parent: node }];
        return frames.map((frame) => this.node(`frame:${id}:${frame.index}`, { kind: "frame", snapshot: id, frame, parent: node }));
      }
      if (node.kind === "frame") {
        // Variables are leaves under a frame that is itself one object per key: no need to keep them.
        return variableRows(node.frame).map((variable) => ({ kind: "variable", variable, parent: node }));
      }
    } catch (err) {
      return [{ kind: "message", text: errorText(err), parent: node }];
    }
    return [];
  }

  getParent(node: TimelineNode): TimelineNode | undefined {
    return node.parent;
  }
}

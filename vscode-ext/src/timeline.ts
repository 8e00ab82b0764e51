// The Timeline view in the Run and Debug side bar: sessions, then their snapshots.

import * as vscode from "vscode";
import { runJson } from "./cli";
import { NotFound } from "./locate";
import { cliTarget } from "./settings";
import { parseSessions, parseSnapshots, SessionRow, snapshotLabel, SnapshotRow } from "./storeJson";

export type TimelineNode =
  | { kind: "session"; session: SessionRow }
  | { kind: "snapshot"; snapshot: SnapshotRow }
  | { kind: "message"; text: string };

const MAX_SESSIONS = 50;

export class TimelineProvider implements vscode.TreeDataProvider<TimelineNode> {
  private changed = new vscode.EventEmitter<TimelineNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** The last lists shown, so tests (and the status bar) can read what the view holds. */
  lastSessions: SessionRow[] = [];
  lastSnapshots = new Map<string, SnapshotRow[]>();
  // VS Code knows tree elements by identity and their ids must stay unique: hand out one object
  // per session and per snapshot, updated in place, so a refresh or reveal never sees a twin.
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
    if (node.kind === "message") {
      const item = new vscode.TreeItem(node.text);
      item.iconPath = new vscode.ThemeIcon("info");
      return item;
    }
    if (node.kind === "session") {
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
    const snap = node.snapshot;
    const item = new vscode.TreeItem(snapshotLabel(snap), vscode.TreeItemCollapsibleState.None);
    item.id = `snapshot:${snap.session}:${snap.id}`;
    item.description = `${snap.reason} · ${snap.ts.replace("T", " ").slice(11, 23)}`;
    item.tooltip = `${snap.reason} at ${snap.file ?? "?"}:${snap.line ?? "?"}\n${snap.ts}\nsnapshot ${snap.id}`;
    item.iconPath = new vscode.ThemeIcon("debug-breakpoint-log");
    item.contextValue = "debugtape.snapshot";
    item.command = { command: "debugtape.openSnapshot", title: "Open Snapshot", arguments: [snap.id] };
    return item;
  }

  async getChildren(node?: TimelineNode): Promise<TimelineNode[]> {
    try {
      if (!node) {
        const sessions = parseSessions(await runJson(cliTarget(), ["sessions"]));
        this.lastSessions = sessions.slice(0, MAX_SESSIONS);
        if (!sessions.length) return [{ kind: "message", text: "No recorded sessions yet" }];
        return this.lastSessions.map((session) => this.node(`session:${session.id}`, { kind: "session", session }));
      }
      if (node.kind === "session") {
        const snaps = parseSnapshots(await runJson(cliTarget(), ["show", node.session.id]), node.session.id);
        this.lastSnapshots.set(node.session.id, snaps);
        if (!snaps.length) return [{ kind: "message", text: "No snapshots" }];
        return snaps.map((snapshot) => this.node(`snapshot:${snapshot.session}:${snapshot.id}`, { kind: "snapshot", snapshot }));
      }
    } catch (err) {
      const text = err instanceof NotFound ? "debugtape not found: set debugtape.path" : `debugtape: ${err instanceof Error ? err.message : String(err)}`;
      return [{ kind: "message", text }];
    }
    return [];
  }

  getParent(): undefined {
    return undefined;
  }
}

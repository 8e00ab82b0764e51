// Opening a snapshot: its frames and locals in a read-only document, and the source at its line.

import * as vscode from "vscode";
import { runJson } from "./cli";
import { cliTarget } from "./settings";
import { formatSnapshot, parseSnapshot, SnapshotView } from "./storeJson";

export const SCHEME = "debugtape-snapshot";

// A stored snapshot never changes: the Timeline's frames, the document and the source jump share
// one read of it. Keyed by store (and the folder that picks the default one): settings change.
const CACHE_SIZE = 100;
const cache = new Map<string, Promise<SnapshotView>>();

export function loadSnapshot(id: string): Promise<SnapshotView> {
  const target = cliTarget();
  const key = [target.db ?? "", target.cwd ?? "", id].join("\n");
  let snap = cache.get(key);
  if (!snap) {
    snap = runJson(target, ["snapshot", id]).then(parseSnapshot);
    snap.catch(() => cache.delete(key)); // a failed read (store busy, not found) is tried again next time
    cache.set(key, snap);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return snap;
}

export class SnapshotDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, "").replace(/\.txt$/, "");
    return formatSnapshot(await loadSnapshot(id));
  }
}

/** Opens `file` at `line` (1-based). False when the file cannot be opened (another machine, moved). */
export async function showSource(file: string | undefined, line: number | undefined): Promise<boolean> {
  if (!file) return false;
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const at = Math.max(0, (line ?? 1) - 1);
    const range = new vscode.Range(at, 0, at, 0);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preview: true });
    return true;
  } catch {
    return false;
  }
}

export async function openSnapshot(id: string): Promise<SnapshotView> {
  const snap = await loadSnapshot(id);
  const top = snap.frames.find((f) => f.file && f.line !== undefined);
  // The source may be gone; the snapshot itself still opens.
  await showSource(top?.file, top?.line);
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `/${id}.txt` }));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  return snap;
}

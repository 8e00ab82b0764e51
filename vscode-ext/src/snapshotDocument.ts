// Opening a snapshot: its frames and locals in a read-only document, and the source at its line.

import * as vscode from "vscode";
import { runJson } from "./cli";
import { cliTarget } from "./settings";
import { formatSnapshot, parseSnapshot, SnapshotView } from "./storeJson";

export const SCHEME = "debugtape-snapshot";

export class SnapshotDocuments implements vscode.TextDocumentContentProvider {
  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, "").replace(/\.txt$/, "");
    return formatSnapshot(parseSnapshot(await runJson(cliTarget(), ["snapshot", id])));
  }
}

export async function openSnapshot(id: string): Promise<SnapshotView> {
  const snap = parseSnapshot(await runJson(cliTarget(), ["snapshot", id]));
  const top = snap.frames.find((f) => f.file && f.line !== undefined);
  if (top?.file) {
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(top.file));
      const line = Math.max(0, (top.line ?? 1) - 1);
      const range = new vscode.Range(line, 0, line, 0);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preview: true });
    } catch {
      // The source may be gone (another machine, another commit); the snapshot itself still opens.
    }
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: SCHEME, path: `/${id}.txt` }));
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  return snap;
}

// The status bar item: shown while a session is recorded, with its snapshot count.

import * as vscode from "vscode";
import { SessionManager } from "./sessions";

export class RecordingStatus implements vscode.Disposable {
  private item = vscode.window.createStatusBarItem("debugtape.status", vscode.StatusBarAlignment.Left, 50);

  constructor(private readonly manager: SessionManager) {
    this.item.name = "debugtape recording";
    this.item.command = "debugtape.openTimeline";
    manager.onDidChange(() => this.update());
    this.update();
  }

  /** What the item shows, "" when hidden. */
  get text(): string {
    return this.manager.recording().length ? this.item.text : "";
  }

  update(): void {
    const recording = this.manager.recording();
    void vscode.commands.executeCommand("setContext", "debugtape.recording", recording.length > 0);
    if (!recording.length) {
      this.item.hide();
      return;
    }
    const snapshots = recording.reduce((n, t) => n + (t.recorder?.snapshots ?? 0), 0);
    this.item.text = `$(record) debugtape: ${snapshots} snapshot${snapshots === 1 ? "" : "s"}`;
    this.item.tooltip = "Recording: " + recording.map((t) => `${t.recorder?.header.name} (${t.recorder?.snapshots ?? 0})`).join(", ");
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

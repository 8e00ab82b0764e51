// Every debug session gets a tracker; recorded ones stream their DAP traffic to a Recorder and,
// at each stop, fetch what the UI did not (stack, top frames' locals).

import { randomBytes } from "crypto";
import * as vscode from "vscode";
import { captureStop, CaptureResult } from "./capture";
import { DapMessage, Direction, newSessionId } from "./dap";
import { decide } from "./launchConfig";
import { NotFound } from "./locate";
import { Recorder } from "./recorder";
import { captureBounds, cfg, childEnv, folders, locateDebugtape, storePath } from "./settings";
import { Stop, StopState } from "./stopState";

/** How long after a stop the UI gets to ask for the stack and locals itself before we fill the gaps. */
const CAPTURE_DELAY_MS = 60;

export class Tracked {
  readonly state = new StopState();
  recorder: Recorder | undefined;
  debugtapeId: string | undefined;
  captures: Promise<CaptureResult>[] = [];
  pauseForSnapshot = false;
  closing: Promise<void> | undefined;
  constructor(readonly session: vscode.DebugSession, readonly parent: Tracked | undefined) {}
}

export class SessionManager implements vscode.DebugAdapterTrackerFactory {
  readonly tracked = new Map<string, Tracked>();
  private changed = new vscode.EventEmitter<Tracked>();
  readonly onDidChange = this.changed.event;
  private warnedNotFound = false;
  /** The last lines written to the output channel (the extension tests read them on failure). */
  readonly recentLog: string[] = [];

  constructor(private readonly context: vscode.ExtensionContext, private readonly channel: vscode.OutputChannel) {}

  log(text: string): void {
    this.channel.appendLine(text);
    this.recentLog.push(text);
    if (this.recentLog.length > 200) this.recentLog.shift();
  }

  /** The window's start/stop recording toggle; undefined until a command sets it. */
  get toggle(): boolean | undefined {
    return this.context.workspaceState.get<boolean>("debugtape.toggle");
  }

  async setToggle(value: boolean): Promise<void> {
    await this.context.workspaceState.update("debugtape.toggle", value);
  }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const parent = session.parentSession ? this.tracked.get(session.parentSession.id) : undefined;
    const t = new Tracked(session, parent);
    this.tracked.set(session.id, t);
    t.state.onStop((stop) => this.onStop(t, stop));
    const decision = decide({
      config: session.configuration as Record<string, unknown>, type: session.type, sessionName: session.name,
      recordAll: cfg().get<boolean>("recordAll", false), toggle: this.toggle,
      parentRecorded: parent ? parent.recorder !== undefined : undefined, defaultSample: cfg().get<string>("sample", ""),
    });
    this.log(`session "${session.name}" (${session.type}): ${decision.record ? "recording" : "not recording"} (${decision.why})`);
    try {
      if (decision.record) this.startRecorder(t, decision.name, decision.sample);
    } catch (err) {
      this.log(`cannot record "${session.name}": ${String(err)}`); // debugging goes on unrecorded
    }
    const observe = (dir: Direction, msg: DapMessage): void => {
      try {
        t.recorder?.message(dir, msg);
        t.state.observe(dir, msg);
      } catch (err) {
        this.log(`tracker error: ${String(err)}`); // a recorder problem must never break debugging
      }
    };
    return {
      onWillReceiveMessage: (m: DapMessage) => observe("to_adapter", m),
      onDidSendMessage: (m: DapMessage) => observe("from_adapter", m),
      onError: (err: Error) => this.log(`debug adapter error in "${session.name}": ${err.message}`),
      onExit: () => { void this.finish(t); },
    };
  }

  /** Starts recording a session (at its start, or later through the Start Recording command). */
  startRecorder(t: Tracked, requestedName: string, sample: string | undefined): boolean {
    if (t.recorder) return true;
    // A child's configuration is a copy of its parent's, name included: say whose child it is.
    const name = t.parent?.recorder ? `${t.parent.recorder.header.name} / ${t.session.name}` : requestedName;
    let command: string;
    try {
      command = locateDebugtape().command;
    } catch (err) {
      if (err instanceof NotFound) this.reportNotFound(err);
      else throw err;
      return false;
    }
    const db = storePath();
    const id = newSessionId(() => randomBytes(8));
    // Child sessions have no workspace folder of their own: use their parent's, then the window's.
    const own = (t.session.workspaceFolder ?? t.parent?.session.workspaceFolder)?.uri;
    const folder = own?.scheme === "file" ? own.fsPath : folders()[0];
    const header = {
      session: id, name, tool: "vscode", parent: t.parent?.debugtapeId, sample,
      meta: { debugType: t.session.type, request: t.session.configuration.request, workspace: folder },
    };
    const rec = new Recorder(
      { command, args: ["ingest", "--dap", ...(db ? ["--db", db] : []), ...(folder ? ["--cwd", folder] : [])], env: childEnv(), cwd: folder },
      header,
      (message) => {
        this.log(`recording of "${name}" failed: ${message}`);
        void vscode.window.showWarningMessage(`debugtape: recording of "${name}" failed: ${message}`);
      },
    );
    t.recorder = rec;
    t.debugtapeId = id;
    this.log(`recording "${name}" as debugtape session ${id}: ${command} ingest --dap (pid ${rec.pid})`);
    this.changed.fire(t);
    return true;
  }

  /** Ends a session's recording once, however many callers (adapter exit, session end, command). */
  stopRecorder(t: Tracked): Promise<void> {
    const rec = t.recorder;
    if (!rec) return Promise.resolve();
    t.closing ??= (async () => {
      // Captures still in flight stream their replies through the recorder: let them land first.
      await Promise.allSettled(t.captures);
      t.recorder = undefined;
      const code = await rec.close();
      this.log(`debugtape session ${rec.header.session} closed (ingest exit ${code}, ${rec.sent} lines, ${rec.dropped} dropped)`);
      if (rec.errorOutput) this.log(`debugtape ingest said:\n${rec.errorOutput}`);
      t.closing = undefined;
      this.changed.fire(t);
    })();
    return t.closing;
  }

  async finish(t: Tracked): Promise<void> {
    if (!this.tracked.has(t.session.id)) return;
    await this.stopRecorder(t);
    this.tracked.delete(t.session.id);
    this.changed.fire(t);
  }

  recording(): Tracked[] {
    return [...this.tracked.values()].filter((t) => t.recorder);
  }

  /**
   * Recording joined a session that is stopped: ingest never saw this stop, and what the UI
   * fetched for it went by unrecorded. Replay the stop as the adapter announced it and fetch it
   * again through the session, so the stop is recorded like any other (when the program resumes).
   */
  joinStopped(t: Tracked): Promise<CaptureResult> | undefined {
    const stop = t.state.current;
    if (!stop || !t.recorder) return undefined;
    t.recorder.message("from_adapter", {
      seq: 0, type: "event", event: "stopped", body: { reason: stop.reason, threadId: stop.threadId, allThreadsStopped: true },
    });
    const fresh: Stop = { ...stop, frames: [], totalFrames: undefined, scopes: new Map(), variables: new Map() };
    const request = (command: string, args: Record<string, unknown>): Thenable<unknown> => t.session.customRequest(command, args);
    return this.track(t, stop, captureStop(fresh, request as never, captureBounds(), () => t.state.current === stop));
  }

  /** Resolves when every capture started so far has finished (tests and Snapshot Now wait on it). */
  async settled(t: Tracked): Promise<void> {
    await Promise.allSettled(t.captures);
  }

  capture(t: Tracked, stop: Stop): Promise<CaptureResult> {
    const request = (command: string, args: Record<string, unknown>): Thenable<unknown> => t.session.customRequest(command, args);
    return this.track(t, stop, captureStop(stop, request as never, captureBounds(), () => t.state.current === stop));
  }

  /** Counts a capture as in flight from now on, so `settled` and closing the recording wait for it. */
  private track(t: Tracked, stop: Stop, p: Promise<CaptureResult>): Promise<CaptureResult> {
    t.captures.push(p);
    void p.then((r) => {
      t.captures = t.captures.filter((x) => x !== p);
      if (r.abandoned) this.log(`capture at stop ${stop.id} of "${t.session.name}" incomplete: ${r.abandoned}`);
    });
    return p;
  }

  /** Records `stop` (already captured) once more as a `manual` snapshot. */
  manualSnapshot(t: Tracked, stop: Stop): void {
    if (!t.recorder) return;
    t.recorder.control({ snapshot: "manual", thread: stop.threadId });
    this.changed.fire(t);
  }

  private onStop(t: Tracked, stop: Stop): void {
    this.changed.fire(t);
    if (!t.recorder) return;
    const manual = t.pauseForSnapshot && stop.reason === "pause";
    t.pauseForSnapshot = false;
    const delayed = new Promise<void>((resolve) => setTimeout(resolve, CAPTURE_DELAY_MS)).then(() => this.capture(t, stop));
    void this.track(t, stop, delayed).then(async () => {
      if (!manual) return;
      this.manualSnapshot(t, stop);
      if (t.state.current === stop) await t.session.customRequest("continue", { threadId: stop.threadId ?? 0 }).then(undefined, () => undefined);
    });
  }

  private reportNotFound(err: NotFound): void {
    this.log(err.message);
    if (this.warnedNotFound) return;
    this.warnedNotFound = true;
    void vscode.window.showErrorMessage(`debugtape: ${err.message}`, "Open Settings").then((pick) => {
      if (pick) void vscode.commands.executeCommand("workbench.action.openSettings", "debugtape.path");
    });
  }
}

// One recorded debug session: a `debugtape ingest --dap` child fed JSON lines on its stdin.

import { ChildProcess, spawn } from "child_process";
import { Control, DapMessage, Direction, SessionHeader, encodeControl, encodeHeader, encodeMessage } from "./dap";

export interface IngestCommand { command: string; args: string[]; env: NodeJS.ProcessEnv; cwd?: string }

/** Past this much unwritten output the child is not keeping up: drop (and count) rather than grow. */
const MAX_BUFFERED = 32 * 1024 * 1024;
const STDERR_KEEP = 8 * 1024;

export class Recorder {
  readonly header: SessionHeader;
  sent = 0;
  dropped = 0;
  snapshots = 0; // stops and manual snapshots sent: what the status bar counts
  failure: string | undefined;
  private child: ChildProcess;
  private stderr = "";
  private exited: Promise<number | null>;
  private onFailure: (message: string) => void;

  constructor(ingest: IngestCommand, header: SessionHeader, onFailure: (message: string) => void) {
    this.header = header;
    this.onFailure = onFailure;
    // Own process group: stopping the debuggee or the window must not take the recorder with it
    // before it has written what it received.
    this.child = spawn(ingest.command, ingest.args, {
      env: ingest.env, cwd: ingest.cwd, stdio: ["pipe", "ignore", "pipe"], detached: true,
    });
    this.exited = new Promise((resolve) => {
      this.child.once("error", (err) => {
        this.fail(`cannot start ${ingest.command}: ${err.message}`);
        resolve(null);
      });
      this.child.once("exit", (code, signal) => {
        if (code !== 0) this.fail(`debugtape ingest exited with ${code ?? signal}: ${this.stderr.trim() || "no message"}`);
        resolve(code);
      });
    });
    this.child.stderr?.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_KEEP);
    });
    this.child.stdin?.on("error", (err) => this.fail(`debugtape ingest stopped reading: ${err.message}`));
    this.write(encodeHeader(header));
  }

  /** What ingest said on stderr (the last few KiB): skipped lines, warnings. */
  get errorOutput(): string {
    return this.stderr.trim();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  message(dir: Direction, msg: DapMessage): void {
    if (dir === "from_adapter" && msg?.type === "event" && msg.event === "stopped") this.snapshots += 1;
    this.write(encodeMessage(dir, msg));
  }

  control(control: Control): void {
    if ("snapshot" in control) this.snapshots += 1;
    this.write(encodeControl(control));
  }

  /** End of input: ingest finishes the session and exits. Resolves to its exit code. */
  async close(timeoutMs = 30000): Promise<number | null> {
    this.child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); });
    const code = await Promise.race([this.exited, timeout]);
    if (timer) clearTimeout(timer);
    return code;
  }

  private write(text: string): void {
    const stdin = this.child.stdin;
    if (this.failure || !stdin || stdin.destroyed || stdin.writableEnded) {
      this.dropped += 1;
      return;
    }
    if (stdin.writableLength > MAX_BUFFERED) {
      this.dropped += 1;
      return;
    }
    stdin.write(text);
    this.sent += 1;
  }

  private fail(message: string): void {
    if (this.failure) return;
    this.failure = message;
    this.onFailure(message);
  }
}

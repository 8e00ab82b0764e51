// DAP message shapes the extension looks at, and the JSON-lines stream sent to `debugtape ingest --dap`.

export interface DapMessage {
  seq?: number;
  type: string; // "request" | "response" | "event"
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  arguments?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  body?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export type Direction = "to_adapter" | "from_adapter";

/** What the first line of a stream tells ingest about the session (see README "Stream format"). */
export interface SessionHeader {
  session: string; // debugtape session id chosen by the extension, so children can name their parent
  name: string;
  tool: string; // "vscode:<debug type>"
  parent?: string; // debugtape session id of the parent session
  sample?: string;
  meta?: Record<string, unknown>;
}

/** Control lines that are not DAP traffic: a note, or a manual snapshot of the current stop. */
export type Control = { note: string } | { snapshot: "manual"; thread?: number; note?: string };

export const RESUME_COMMANDS = new Set([
  "continue", "next", "stepIn", "stepOut", "stepBack", "reverseContinue", "goto", "restartFrame",
]);

function line(value: unknown): string {
  // DAP messages come from JSON on the wire, so this only fails on something a tracker invented.
  try {
    return JSON.stringify(value) + "\n";
  } catch (err) {
    return JSON.stringify({ debugtape: { error: `unencodable message: ${String(err)}` } }) + "\n";
  }
}

export function encodeMessage(dir: Direction, msg: DapMessage): string {
  return line({ dir, msg });
}

export function encodeHeader(header: SessionHeader): string {
  return line({ debugtape: header });
}

export function encodeControl(control: Control): string {
  return line({ debugtape: control });
}

/** A fresh session id: 16 hex digits, like debugtape's own ids. */
export function newSessionId(random: () => Uint8Array): string {
  return Array.from(random(), (b) => b.toString(16).padStart(2, "0")).join("");
}

// What has been seen of the current stop: the stack, scopes and variables the UI (or we) fetched.
// Pure: fed every DAP message in both directions, it answers "what is still missing".

import { DapMessage, Direction, RESUME_COMMANDS } from "./dap";

export interface StackFrame {
  id: number;
  name?: string;
  line?: number;
  presentationHint?: string; // "normal" | "label" | "subtle"
  source?: { path?: string; name?: string; presentationHint?: string }; // "deemphasize" for library code
}
export interface Scope { name: string; variablesReference: number; expensive?: boolean; presentationHint?: string }
export interface Variable {
  name: string;
  value?: string;
  type?: string;
  variablesReference?: number;
  indexedVariables?: number;
  namedVariables?: number;
  presentationHint?: { kind?: string; visibility?: string };
}

export interface Stop {
  id: number; // 1 for the session's first stop
  threadId: number | undefined;
  reason: string;
  frames: StackFrame[];
  totalFrames: number | undefined;
  scopes: Map<number, Scope[]>; // frameId -> scopes
  variables: Map<number, Variable[]>; // variablesReference -> children
  manualResume: boolean; // "snapshot now" paused a running program: resume once captured
}

interface Pending { command: string; args: any } // eslint-disable-line @typescript-eslint/no-explicit-any

export class StopState {
  current: Stop | undefined;
  stops = 0;
  private pending = new Map<number, Pending>();
  private listeners: Array<(stop: Stop) => void> = [];

  onStop(listener: (stop: Stop) => void): void {
    this.listeners.push(listener);
  }

  get stopped(): boolean {
    return this.current !== undefined;
  }

  observe(dir: Direction, msg: DapMessage): void {
    if (!msg || typeof msg !== "object") return;
    if (dir === "to_adapter" && msg.type === "request" && typeof msg.seq === "number") {
      if (msg.command && RESUME_COMMANDS.has(msg.command)) this.current = undefined;
      // Keep only what we answer from; a long session must not grow this map.
      if (msg.command === "stackTrace" || msg.command === "scopes" || msg.command === "variables") {
        this.pending.set(msg.seq, { command: msg.command, args: msg.arguments ?? {} });
      }
      return;
    }
    if (dir !== "from_adapter") return;
    if (msg.type === "event") this.onEvent(msg);
    else if (msg.type === "response" && typeof msg.request_seq === "number") this.onResponse(msg);
  }

  private onEvent(msg: DapMessage): void {
    const body = msg.body ?? {};
    if (msg.event === "stopped") {
      this.stops += 1;
      this.pending.clear();
      this.current = {
        id: this.stops,
        threadId: typeof body.threadId === "number" ? body.threadId : undefined,
        reason: typeof body.reason === "string" ? body.reason : "unknown",
        frames: [],
        totalFrames: undefined,
        scopes: new Map(),
        variables: new Map(),
        manualResume: false,
      };
      for (const l of this.listeners) l(this.current);
    } else if (msg.event === "continued" || msg.event === "terminated" || msg.event === "exited") {
      if (msg.event !== "continued" || body.allThreadsContinued !== false || body.threadId === this.current?.threadId) {
        this.current = undefined;
      }
    }
  }

  private onResponse(msg: DapMessage): void {
    const req = this.pending.get(msg.request_seq as number);
    if (!req) return;
    this.pending.delete(msg.request_seq as number);
    const stop = this.current;
    if (!stop || !msg.success || !msg.body) return;
    if (req.command === "stackTrace") {
      if (stop.threadId !== undefined && req.args.threadId !== stop.threadId) return;
      if (stop.threadId === undefined) stop.threadId = req.args.threadId;
      const start = typeof req.args.startFrame === "number" ? req.args.startFrame : 0;
      const frames: StackFrame[] = Array.isArray(msg.body.stackFrames) ? msg.body.stackFrames.map(copyFrame) : [];
      frames.forEach((f, i) => { stop.frames[start + i] = f; });
      if (typeof msg.body.totalFrames === "number") stop.totalFrames = msg.body.totalFrames;
      else if (frames.length < (req.args.levels ?? Infinity) || !req.args.levels) stop.totalFrames = start + frames.length;
    } else if (req.command === "scopes") {
      if (Array.isArray(msg.body.scopes)) stop.scopes.set(req.args.frameId, msg.body.scopes);
    } else if (req.command === "variables") {
      if (Array.isArray(msg.body.variables)) stop.variables.set(req.args.variablesReference, msg.body.variables);
    }
  }
}

/** VS Code rewrites the message objects it gets after the tracker saw them (source paths become
 * vscode-remote URIs in remote windows): keep our own copy of what we use. */
export function copyFrame(f: StackFrame): StackFrame {
  const source = f?.source ? { path: f.source.path, name: f.source.name, presentationHint: f.source.presentationHint } : undefined;
  return { id: f?.id, name: f?.name, line: f?.line, presentationHint: f?.presentationHint, source };
}

/** Frames known contiguously from the top. */
export function knownFrames(stop: Stop): StackFrame[] {
  const out: StackFrame[] = [];
  for (const f of stop.frames) {
    if (!f) break;
    out.push(f);
  }
  return out;
}

/** Whether enough of the stack is known: the bound, or the whole stack if it is shorter. */
export function stackComplete(stop: Stop, frames: number): boolean {
  const known = knownFrames(stop).length;
  return known >= frames || (stop.totalFrames !== undefined && known >= stop.totalFrames);
}

const GLOBAL_SCOPE = /^(globals?|registers?|module|static)\b/i;

/** The scopes worth recording locals from: locals and arguments, never globals or expensive ones. */
export function localScopes(scopes: Scope[]): Scope[] {
  const picked = scopes.filter(
    (s) => s.variablesReference > 0 && !s.expensive &&
      (s.presentationHint === "locals" || s.presentationHint === "arguments" ||
        (!GLOBAL_SCOPE.test(s.name) && s.presentationHint !== "registers" && s.presentationHint !== "globals")),
  );
  return picked;
}

// debugpy groups these under synthetic children; expanding them records noise, not program state.
const SYNTHETIC = new Set(["special variables", "function variables", "class variables", "protected variables"]);
// Children of these are code, not data (the same list as debugtape.adapters.dap.values).
const CODE_TYPES = new Set([
  "module", "function", "type", "builtin_function_or_method", "method", "method-wrapper",
  "classmethod", "staticmethod", "property", "wrapper_descriptor", "getset_descriptor",
]);

/** Whether a variable's children are worth a round trip: data, not code, synthetic groups or C strings. */
export function expandable(v: Variable): boolean {
  if ((v.variablesReference ?? 0) <= 0 || SYNTHETIC.has(v.name)) return false;
  // JavaScript engine internals (js-debug): [[Prototype]], [[Scopes]], __proto__.
  if (/^\[\[.*\]\]$/.test(v.name) || v.name === "__proto__") return false;
  if (v.presentationHint?.kind === "virtual" || v.presentationHint?.visibility === "internal") return false;
  const type = v.type ?? "";
  if (CODE_TYPES.has(type)) return false;
  // A C string's text already shows its characters; its children split them one by one.
  return !(type.includes("char") && (type.includes("*") || type.includes("[")));
}

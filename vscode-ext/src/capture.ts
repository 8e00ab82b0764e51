// Fetch at a stop what the UI did not: the stack, then the locals of the top frames, within bounds.

import { CaptureBounds } from "./bounds";
import { copyFrame, expandable, knownFrames, localScopes, Scope, stackComplete, Stop, StackFrame, Variable } from "./stopState";

/** Sends one DAP request through the debug session and resolves to the response body. */
export type Requester = (command: string, args: Record<string, unknown>) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CaptureResult {
  requests: number; // extra requests this capture sent
  budgetExhausted: boolean;
  abandoned: string | undefined; // why the capture stopped early (resumed, budget, time, request failed)
}

/** Requests in flight at once: enough to hide the round trips, few enough not to flood the adapter. */
const PARALLEL = 8;

class Abandon extends Error {}

/** Frames whose locals say little: debugger labels and library code the adapter itself plays down. */
function worthLocals(f: StackFrame): boolean {
  return f.presentationHint !== "label" && f.presentationHint !== "subtle" && f.source?.presentationHint !== "deemphasize";
}

async function inBatches<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(run));
}

/**
 * Asks only for what `stop` does not hold yet, breadth first (every frame's top-level locals before
 * anything nested), a level at a time with a few requests in flight, so the request budget and the
 * time limit are spent where they say the most. The caller's tracker sees these requests and their
 * responses go by, which is how they reach the store.
 */
export async function captureStop(
  stop: Stop, request: Requester, bounds: CaptureBounds, isCurrent: () => boolean = () => true,
  now: () => number = Date.now,
): Promise<CaptureResult> {
  const result: CaptureResult = { requests: 0, budgetExhausted: false, abandoned: undefined };
  const deadline = now() + bounds.timeMs;
  const ask = async (command: string, args: Record<string, unknown>): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!isCurrent()) throw new Abandon("the program resumed before the capture finished");
    if (now() > deadline) throw new Abandon(`time limit of ${bounds.timeMs} ms reached`);
    if (result.requests >= bounds.requests) {
      result.budgetExhausted = true;
      throw new Abandon(`request budget of ${bounds.requests} used up`);
    }
    result.requests += 1;
    try {
      return (await request(command, args)) ?? {};
    } catch (err) {
      throw new Abandon(`${command} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  try {
    if (stop.threadId === undefined) {
      const threads = (await ask("threads", {})).threads;
      if (!Array.isArray(threads) || threads.length === 0) return result;
      stop.threadId = threads[0].id;
    }
    if (!stackComplete(stop, bounds.frames)) {
      const body = await ask("stackTrace", { threadId: stop.threadId, startFrame: 0, levels: bounds.frames });
      const frames = Array.isArray(body.stackFrames) ? body.stackFrames : [];
      // The tracker's copy of this same response wins: in remote windows the body customRequest
      // hands back has had its source paths rewritten into vscode-remote URIs.
      if (knownFrames(stop).length < frames.length) stop.frames = frames.map(copyFrame);
      stop.totalFrames = typeof body.totalFrames === "number" ? body.totalFrames : frames.length;
    }
    const top = knownFrames(stop).slice(0, bounds.localsFrames).filter(worthLocals);
    await inBatches(top.filter((f) => !stop.scopes.has(f.id)), async (frame) => {
      const body = await ask("scopes", { frameId: frame.id });
      stop.scopes.set(frame.id, Array.isArray(body.scopes) ? (body.scopes as Scope[]) : []);
    });
    const seen = new Set<number>();
    let level = top.flatMap((f) => localScopes(stop.scopes.get(f.id) ?? []).map((s) => s.variablesReference));
    for (let depth = 1; level.length; depth++) {
      const refs = level.filter((r) => !seen.has(r)); // the same reference twice is a cycle
      refs.forEach((r) => seen.add(r));
      await inBatches(refs.filter((r) => !stop.variables.has(r)), async (ref) => {
        const body = await ask("variables", { variablesReference: ref });
        stop.variables.set(ref, Array.isArray(body.variables) ? (body.variables as Variable[]) : []);
      });
      if (depth >= bounds.depth) break;
      level = refs.flatMap((r) => (stop.variables.get(r) ?? []).slice(0, bounds.items).filter(expandable).map((v) => v.variablesReference as number));
    }
  } catch (err) {
    if (!(err instanceof Abandon)) throw err;
    result.abandoned = err.message;
  }
  return result;
}

// Fetch at a stop what the UI did not: the stack, then the locals of the top frames, within bounds.

import { CaptureBounds } from "./bounds";
import { copyFrame, expandable, knownFrames, localScopes, Scope, stackComplete, Stop, Variable } from "./stopState";

/** Sends one DAP request through the debug session and resolves to the response body. */
export type Requester = (command: string, args: Record<string, unknown>) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CaptureResult {
  requests: number; // extra requests this capture sent
  budgetExhausted: boolean;
  abandoned: string | undefined; // why the capture stopped early (resumed, request failed)
}

class Budget {
  used = 0;
  constructor(readonly max: number) {}
  take(): boolean {
    if (this.used >= this.max) return false;
    this.used += 1;
    return true;
  }
}

/**
 * Asks only for what `stop` does not hold yet, breadth first (every frame's top-level locals before
 * anything nested), so the request budget is spent where it says the most. The caller's tracker sees
 * these requests and their responses go by, which is how they reach the store.
 */
export async function captureStop(
  stop: Stop, request: Requester, bounds: CaptureBounds, isCurrent: () => boolean = () => true,
): Promise<CaptureResult> {
  const budget = new Budget(bounds.requests);
  const result: CaptureResult = { requests: 0, budgetExhausted: false, abandoned: undefined };
  const ask = async (command: string, args: Record<string, unknown>): Promise<any> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (!isCurrent()) throw new Abandon("the program resumed before the capture finished");
    if (!budget.take()) {
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
      stop.frames = frames.map(copyFrame);
      stop.totalFrames = typeof body.totalFrames === "number" ? body.totalFrames : frames.length;
    }
    const top = knownFrames(stop).slice(0, bounds.localsFrames);
    const queue: Array<{ ref: number; level: number }> = [];
    for (const frame of top) {
      let scopes: Scope[] | undefined = stop.scopes.get(frame.id);
      if (!scopes) {
        const body = await ask("scopes", { frameId: frame.id });
        scopes = Array.isArray(body.scopes) ? (body.scopes as Scope[]) : [];
        stop.scopes.set(frame.id, scopes);
      }
      for (const scope of localScopes(scopes)) queue.push({ ref: scope.variablesReference, level: 1 });
    }
    const seen = new Set<number>();
    while (queue.length) {
      const { ref, level } = queue.shift() as { ref: number; level: number };
      if (seen.has(ref)) continue; // cycles: the same reference reached twice
      seen.add(ref);
      let vars: Variable[] | undefined = stop.variables.get(ref);
      if (!vars) {
        const body = await ask("variables", { variablesReference: ref });
        vars = Array.isArray(body.variables) ? (body.variables as Variable[]) : [];
        stop.variables.set(ref, vars);
      }
      if (level >= bounds.depth) continue;
      for (const v of vars.slice(0, bounds.items)) {
        if (expandable(v)) queue.push({ ref: v.variablesReference as number, level: level + 1 });
      }
    }
  } catch (err) {
    if (!(err instanceof Abandon)) throw err;
    result.abandoned = err.message;
  }
  return result;
}

class Abandon extends Error {}

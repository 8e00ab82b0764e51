// Capture bounds for what the extension fetches itself at a stop (DESIGN.md "Bounds").

export interface CaptureBounds {
  frames: number; // stack frames fetched
  localsFrames: number; // top frames whose locals are fetched
  depth: number; // levels of structured values expanded (1 = the scope's own variables)
  items: number; // children fetched per container
  requests: number; // hard cap on extra requests per stop, so a huge program never stalls a session
  timeMs: number; // and on the time spent fetching one stop
}

export const DEFAULT_BOUNDS: CaptureBounds = { frames: 20, localsFrames: 5, depth: 3, items: 25, requests: 200, timeMs: 3000 };

function positiveInt(value: unknown, fallback: number, min: number): number {
  return typeof value === "number" && Number.isFinite(value) && value >= min ? Math.floor(value) : fallback;
}

export function boundsFrom(raw: Partial<Record<keyof CaptureBounds, unknown>>): CaptureBounds {
  return {
    frames: positiveInt(raw.frames, DEFAULT_BOUNDS.frames, 1),
    localsFrames: positiveInt(raw.localsFrames, DEFAULT_BOUNDS.localsFrames, 0),
    depth: positiveInt(raw.depth, DEFAULT_BOUNDS.depth, 1),
    items: positiveInt(raw.items, DEFAULT_BOUNDS.items, 1),
    requests: positiveInt(raw.requests, DEFAULT_BOUNDS.requests, 1),
    timeMs: positiveInt(raw.timeMs, DEFAULT_BOUNDS.timeMs, 1),
  };
}

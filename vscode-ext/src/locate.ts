// Find the debugtape executable: the setting, then the workspace's virtual environment, then PATH.

import * as fs from "fs";
import * as path from "path";

export interface Located { command: string; source: "setting" | "venv" | "path" }

export class NotFound extends Error {
  constructor(readonly looked: string[], readonly settingValue: string) {
    super(
      settingValue
        ? `debugtape was not found at "${settingValue}" (the debugtape.path setting). ` +
          "Fix the setting, or clear it to use the workspace's virtual environment or PATH."
        : "debugtape was not found (looked in " + looked.join(", ") + "). " +
          "Set debugtape.path to the executable (`command -v debugtape` where you installed it prints it), " +
          "or install debugtape into the workspace's virtual environment: " +
          "python -m venv .venv && .venv/bin/pip install -e /path/to/your/debugtape/checkout",
    );
  }
}

const VENVS = [".venv", "venv", "env"];
const isWindows = process.platform === "win32";

function executable(file: string, exists: (p: string) => boolean): boolean {
  return exists(file);
}

export function defaultExists(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (isWindows) return true;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` (e.g. "debugtape" or "python") inside a virtual environment folder. */
function inVenv(venv: string, name: string): string[] {
  return isWindows ? [path.join(venv, "Scripts", name + ".exe")] : [path.join(venv, "bin", name)];
}

export function locate(opts: {
  name: string; // "debugtape", "python3"
  setting: string;
  folders: string[];
  envPath: string | undefined;
  virtualEnv?: string;
  exists?: (p: string) => boolean;
}): Located {
  const exists = opts.exists ?? defaultExists;
  const looked: string[] = [];
  if (opts.setting.trim()) {
    const s = opts.setting.trim();
    const candidate = path.isAbsolute(s) || s.includes(path.sep) ? [path.resolve(opts.folders[0] ?? ".", s)] : onPath(s, opts.envPath);
    for (const c of candidate) if (executable(c, exists)) return { command: c, source: "setting" };
    throw new NotFound([s], s);
  }
  const names = opts.name === "python3" ? ["python3", "python"] : [opts.name];
  const venvs = [...(opts.virtualEnv ? [opts.virtualEnv] : []), ...opts.folders.flatMap((f) => VENVS.map((v) => path.join(f, v)))];
  for (const venv of venvs) {
    for (const n of names) {
      for (const c of inVenv(venv, n)) {
        looked.push(c);
        if (executable(c, exists)) return { command: c, source: "venv" };
      }
    }
  }
  for (const n of names) {
    for (const c of onPath(n, opts.envPath)) if (executable(c, exists)) return { command: c, source: "path" };
  }
  looked.push("PATH");
  throw new NotFound(looked, "");
}

function onPath(name: string, envPath: string | undefined): string[] {
  const exts = isWindows ? [".exe", ".cmd", ""] : [""];
  return (envPath ?? "").split(path.delimiter).filter(Boolean).flatMap((dir) => exts.map((e) => path.join(dir, name + e)));
}

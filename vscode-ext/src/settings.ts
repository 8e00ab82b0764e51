// The extension's settings and the commands/environment derived from them.

import * as vscode from "vscode";
import { boundsFrom, CaptureBounds } from "./bounds";
import { CliTarget } from "./cli";
import { Located, locate } from "./locate";
import { redactEnv } from "./redactEnv";

export function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("debugtape");
}

export function folders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
}

export function locateDebugtape(): Located {
  return locate({
    name: "debugtape", setting: cfg().get<string>("path", ""), folders: folders(),
    envPath: process.env.PATH, virtualEnv: process.env.VIRTUAL_ENV,
  });
}

export function locatePython(): Located {
  return locate({
    name: "python3", setting: cfg().get<string>("python", ""), folders: folders(),
    envPath: process.env.PATH, virtualEnv: process.env.VIRTUAL_ENV,
  });
}

export function storePath(): string | undefined {
  const s = cfg().get<string>("store", "").trim();
  if (!s) return undefined;
  const base = folders()[0];
  return base && !s.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(s) ? `${base}/${s}` : s;
}

/**
 * Environment of every debugtape child. The extra redaction rules travel in DEBUGTAPE_REDACT as JSON
 * shaped like the `[tool.debugtape.redact]` table (deny_keys, patterns), merged with the project's.
 */
export function childEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...redactEnv(cfg().get<string[]>("redact.extraKeys", []), cfg().get<string[]>("redact.extraPatterns", [])) };
}

export function cliTarget(): CliTarget {
  return { command: locateDebugtape().command, db: storePath(), cwd: folders()[0], env: childEnv() };
}

export function captureBounds(): CaptureBounds {
  const c = cfg();
  return boundsFrom({
    frames: c.get("capture.frames"), localsFrames: c.get("capture.localsFrames"),
    depth: c.get("capture.depth"), items: c.get("capture.items"), timeMs: c.get("capture.timeMs"),
  });
}

// The "debugtape" debug type: Python through debugpy's own adapter, so no other extension is needed.

import { spawnSync } from "child_process";
import * as vscode from "vscode";
import { DEBUGTAPE_TYPE } from "./launchConfig";
import { NotFound } from "./locate";
import { locatePython } from "./settings";

export class DebugtapeConfigurations implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.DebugConfiguration | undefined {
    if (!config.type && !config.request && !config.name) {
      // F5 without a launch.json: debug the open Python file.
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.languageId !== "python") return undefined;
      config = { type: DEBUGTAPE_TYPE, request: "launch", name: "Python: current file (recorded)", program: "${file}" };
    }
    if (config.request === "launch") {
      config.console ??= "internalConsole";
      config.justMyCode ??= true;
      // Without this, Python 3.11+ warns on every run that frozen modules hide breakpoints.
      config.pythonArgs ??= ["-Xfrozen_modules=off"];
      config.env = { PYDEVD_DISABLE_FILE_VALIDATION: "1", ...(config.env ?? {}) };
    }
    return config;
  }
}

function debugpyReady(python: string): string | undefined {
  const probe = spawnSync(python, ["-c", "import debugpy.adapter"], { encoding: "utf8", timeout: 20000 });
  if (probe.error) return `cannot run ${python}: ${probe.error.message}`;
  if (probe.status !== 0) return `debugpy is not installed for ${python}. Fix: ${python} -m pip install debugpy`;
  return undefined;
}

export class DebugpyAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  private checked = new Map<string, string | undefined>();

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const config = session.configuration;
    // A child process debugpy reports (debugpyAttach) is served by the adapter already running.
    if (config.request === "attach" && config.connect && typeof config.connect.port === "number") {
      return new vscode.DebugAdapterServer(config.connect.port, config.connect.host ?? "127.0.0.1");
    }
    let python: string;
    try {
      python = typeof config.adapterPython === "string" ? config.adapterPython : locatePython().command;
    } catch (err) {
      const msg = err instanceof NotFound ? "no Python found: set debugtape.python" : String(err);
      throw new Error(`debugtape: ${msg}`);
    }
    if (!this.checked.has(python)) this.checked.set(python, debugpyReady(python));
    const problem = this.checked.get(python);
    if (problem) {
      this.checked.delete(python); // check again next time: the user may just have installed it
      throw new Error(`debugtape: ${problem}`);
    }
    return new vscode.DebugAdapterExecutable(python, ["-m", "debugpy.adapter"]);
  }
}

/** debugpy asks the client to attach to each child process; the Python extension does this, we must too. */
export function onDebugpyAttach(e: vscode.DebugSessionCustomEvent): void {
  if (e.session.type !== DEBUGTAPE_TYPE || e.event !== "debugpyAttach") return;
  const body = e.body ?? {};
  const config: vscode.DebugConfiguration = {
    ...body,
    type: DEBUGTAPE_TYPE,
    request: "attach",
    name: body.name ?? `Subprocess ${body.subProcessId ?? body.processId ?? ""}`.trim(),
    debugtape: e.session.configuration.debugtape,
  };
  void vscode.debug.startDebugging(e.session.workspaceFolder, config, { parentSession: e.session, lifecycleManagedByParent: true });
}
